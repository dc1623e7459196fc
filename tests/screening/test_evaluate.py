import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from screening.evaluate import EvaluationError, evaluate_files
from tests.screening.batches import write_csv

TRUTH = [
    {"rule_code": "OVER_PRICE", "setl_id": "S1", "feedetl_sn": "F1", "psn_no": "P1",
     "fixmedins_code": "H1", "dr_code": ""},
    {"rule_code": "OVER_PRICE", "setl_id": "S1", "feedetl_sn": "F7", "psn_no": "P1",
     "fixmedins_code": "H1", "dr_code": ""},
    {"rule_code": "SPLIT_ADMISSION", "setl_id": "S9", "feedetl_sn": "", "psn_no": "P2",
     "fixmedins_code": "H1", "dr_code": ""},
    {"rule_code": "FREQUENT_VISITS", "setl_id": "S5", "feedetl_sn": "", "psn_no": "P3",
     "fixmedins_code": "H2", "dr_code": ""},
]  # fmt: skip


def flag(flag_id: str, **keys: str) -> dict[str, str]:
    columns = ("setl_id", "feedetl_sn", "psn_no", "fixmedins_code")
    return {
        "flag_id": flag_id,
        "rule_code": flag_id.split(":")[0],
        **{column: keys.get(column, "") for column in columns},
        "sev_deg": "1",
        "amount_at_risk": "1.00",
        "detected_at": "2025-04-01 00:30:00",
        "evidence": "{}",
    }


FLAGS = [
    flag("OVER_PRICE:F1", setl_id="S1", feedetl_sn="F1"),
    flag("OVER_PRICE:F2", setl_id="S1", feedetl_sn="F2"),  # not in the truth
    flag("SPLIT_ADMISSION:S9", setl_id="S9"),
    # Two flags on one person: one key, counted once.
    flag("FREQUENT_VISITS:P3|30d|2025-03", setl_id="S5", psn_no="P3"),
    flag("FREQUENT_VISITS:P3|7d|H2|2025-03", setl_id="S6", psn_no="P3"),
]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def evaluated(tmp_path, truth=TRUTH, flags=FLAGS) -> dict[str, dict]:
    result = evaluate_files(
        truth=write_csv(tmp_path / "truth.csv", truth),
        flags=write_csv(tmp_path / "flags.csv", flags),
    )
    return {row["rule_code"]: row for row in result.to_dicts()}


class TestEvaluate:
    def test_counts_per_rule_on_its_scope_key(self, tmp_path):
        result = evaluated(tmp_path)

        over_price = result["OVER_PRICE"]
        assert (over_price["tp"], over_price["fp"], over_price["fn"]) == (1, 1, 1)
        assert over_price["key"] == "feedetl_sn"
        assert over_price["precision"] == 0.5
        assert over_price["recall"] == 0.5
        assert (result["SPLIT_ADMISSION"]["tp"], result["SPLIT_ADMISSION"]["key"]) == (1, "setl_id")
        visits = result["FREQUENT_VISITS"]
        assert (visits["tp"], visits["fp"], visits["fn"], visits["key"]) == (1, 0, 0, "psn_no")

    def test_totals_and_rules_without_flags(self, tmp_path):
        truth = [*TRUTH, {**TRUTH[0], "rule_code": "DUP_EXAM", "feedetl_sn": "F3"}]

        result = evaluated(tmp_path, truth=truth)

        assert (result["DUP_EXAM"]["fn"], result["DUP_EXAM"]["precision"]) == (1, None)
        assert result["DUP_EXAM"]["recall"] == 0.0
        assert (result["TOTAL"]["tp"], result["TOTAL"]["fp"], result["TOTAL"]["fn"]) == (3, 1, 2)

    def test_practitioner_key_comes_from_the_flag_id(self, tmp_path):
        truth = [{**TRUTH[0], "rule_code": "PRACTITIONER_ANOMALY", "dr_code": "D7"}]
        flags = [flag("PRACTITIONER_ANOMALY:D7|2025-03", fixmedins_code="H1")]

        result = evaluated(tmp_path, truth=truth, flags=flags)

        assert result["PRACTITIONER_ANOMALY"]["tp"] == 1

    def test_a_truth_row_without_its_key_is_an_error(self, tmp_path):
        truth = [{**TRUTH[0], "feedetl_sn": ""}]

        with pytest.raises(EvaluationError, match=r"truth\.csv row 1: OVER_PRICE needs feedetl_sn"):
            evaluated(tmp_path, truth=truth)

    def test_an_unknown_rule_is_an_error(self, tmp_path):
        with pytest.raises(EvaluationError, match=r"flags\.csv row 1: unknown rule_code 'NOPE'"):
            evaluated(tmp_path, flags=[flag("NOPE:1")])


class TestCommand:
    def test_prints_a_table(self, tmp_path, capsys):
        write_csv(tmp_path / "truth.csv", TRUTH)
        write_csv(tmp_path / "flags.csv", FLAGS)

        call_command(
            "evaluate",
            "--truth",
            str(tmp_path / "truth.csv"),
            "--flags",
            str(tmp_path / "flags.csv"),
        )

        lines = capsys.readouterr().out.splitlines()
        assert lines[0].split() == ["rule_code", "key", "TP", "FP", "FN", "precision", "recall"]
        assert "OVER_PRICE feedetl_sn 1 1 1 50.0% 50.0%" in [" ".join(x.split()) for x in lines]

    def test_a_missing_file_is_a_command_error(self, tmp_path):
        with pytest.raises(CommandError, match="does not exist"):
            call_command("evaluate", "--truth", str(tmp_path / "t.csv"), "--flags", "f.csv")


class TestScores:
    def scores(self, tmp_path, risks: dict[str, str]) -> None:
        rows = [
            {"fixmedins_code": code, "window_start": "2025-03-01", "window_end": "2025-03-31",
             "risk_score": risk, "rank": str(rank), "top_features": "[]"}
            for rank, (code, risk) in enumerate(risks.items(), 1)
        ]  # fmt: skip
        write_csv(tmp_path / "institution_scores.csv", rows)

    def truth(self, tmp_path, *codes: str):
        rows = [{**TRUTH[0], "rule_code": "PEER_ANOMALY", "fixmedins_code": c} for c in codes]
        return write_csv(tmp_path / "truth.csv", rows)

    def test_roc_auc_of_the_named_institutions(self, tmp_path):
        from screening.evaluate import evaluate_scores

        self.scores(tmp_path, {"H1": "0.9", "H2": "0.8", "H3": "0.85", "H4": "0.1"})

        [result] = evaluate_scores(truth=self.truth(tmp_path, "H1", "H2"), folder=tmp_path)

        # Pairs (named, unnamed): H1>H3, H1>H4, H2<H3, H2>H4: three of four.
        assert result == {
            "rule_code": "PEER_ANOMALY", "subjects": 4, "named": 2, "roc_auc": 0.75,
        }  # fmt: skip

    def test_the_command_prints_it(self, tmp_path, capsys):
        self.scores(tmp_path, {"H1": "0.9", "H2": "0.2"})
        truth = self.truth(tmp_path, "H1")
        flags = write_csv(tmp_path / "flags.csv", [flag("OVER_PRICE:F1", feedetl_sn="F1")])

        call_command(
            "evaluate", "--truth", str(truth), "--flags", str(flags), "--scores", str(tmp_path)
        )

        assert (
            "PEER_ANOMALY             ROC-AUC 1.000 (1 named of 2 scored)"
            in capsys.readouterr().out
        )
