import polars as pl
import pytest

from screening.triage import triage_scores

SCORES = pl.DataFrame({"fixmedins_code": ["HRISK", "HCLEAN"], "risk_score": [1.0, 0.0]})


def flags(*rows: dict) -> pl.DataFrame:
    defaults = {
        "rule_code": "OVER_PRICE",
        "setl_id": "",
        "psn_no": "P1",
        "fixmedins_code": "H1",
        "sev_deg": 1,
        "amount_at_risk": 10_000,
    }
    return pl.DataFrame(
        [{"flag_id": f"FLAG{number}", **defaults, **row} for number, row in enumerate(rows, 1)],
        schema_overrides={"sev_deg": pl.Int64, "amount_at_risk": pl.Int64},
    )


def order(frame: pl.DataFrame, **options) -> list[str]:
    settings = {"rule_precision": {}, "institution_scores": None, **options}
    return triage_scores(frame, **settings)["flag_id"].to_list()


class TestTriageScores:
    def test_is_the_expected_recovery_in_yuan(self):
        # Precision 0.8 × weight 1 (definite) × (0.5 + unscored 0.5) = 0.8 of 100 + 1 yuan.
        scored = triage_scores(
            flags({}), rule_precision={"OVER_PRICE": 0.8}, institution_scores=None
        )

        assert scored["triage_score"].to_list() == [pytest.approx(0.8 * 101)]

    def test_puts_more_money_first_when_equally_likely(self):
        queue = flags({"amount_at_risk": 5_000}, {"amount_at_risk": 90_000})

        assert order(queue) == ["FLAG2", "FLAG1"]

    def test_puts_a_proven_rule_before_a_doubtful_one(self):
        queue = flags({"rule_code": "EXCESSIVE_COST"}, {"rule_code": "OVER_PRICE"})

        ranked = order(queue, rule_precision={"EXCESSIVE_COST": 0.1, "OVER_PRICE": 0.9})

        assert ranked == ["FLAG2", "FLAG1"]

    def test_gives_an_undecided_rule_the_even_prior(self):
        queue = flags({"rule_code": "NEW_RULE"}, {"rule_code": "OVER_PRICE"})

        ranked = order(queue, rule_precision={"OVER_PRICE": 0.4})

        assert ranked == ["FLAG1", "FLAG2"]  # 0.5 beats 0.4

    def test_puts_definite_before_suspicious(self):
        queue = flags({"sev_deg": 3}, {"sev_deg": 2}, {"sev_deg": 1})

        assert order(queue) == ["FLAG3", "FLAG2", "FLAG1"]

    def test_puts_the_riskier_institution_first(self):
        queue = flags({"fixmedins_code": "HCLEAN"}, {"fixmedins_code": "HRISK"})

        assert order(queue, institution_scores=SCORES) == ["FLAG2", "FLAG1"]

    def test_lets_a_large_suspicious_amount_outrank_a_small_definite_one(self):
        queue = flags(
            {"sev_deg": 1, "amount_at_risk": 2_000},
            {"sev_deg": 3, "amount_at_risk": 500_000, "rule_code": "PEER_ANOMALY"},
        )

        assert order(queue) == ["FLAG2", "FLAG1"]

    def test_scores_the_flags_of_one_settlement_together(self):
        queue = flags(
            {"setl_id": "S1", "amount_at_risk": 10_000},
            {"setl_id": "S1", "amount_at_risk": 8_000, "rule_code": "DUP_CHARGE"},
            {"setl_id": "S2", "amount_at_risk": 10_000},
        )

        scored = triage_scores(queue, rule_precision={}, institution_scores=None)

        by_flag = dict(scored.select("flag_id", "triage_score").iter_rows())
        # S1: 1 − (1 − 0.5)² = 0.75 of its largest amount; S2: 0.5 of the same amount.
        assert by_flag["FLAG1"] == by_flag["FLAG2"] == pytest.approx(0.75 * 101)
        assert by_flag["FLAG3"] == pytest.approx(0.5 * 101)

    def test_keeps_institution_level_flags_apart(self):
        queue = flags(
            {"setl_id": None, "rule_code": "PEER_ANOMALY", "sev_deg": 3},
            {"setl_id": None, "rule_code": "PEER_ANOMALY", "sev_deg": 3},
        )

        scored = triage_scores(queue, rule_precision={}, institution_scores=None)

        assert scored["triage_score"].to_list() == [pytest.approx(0.25 * 101)] * 2

    def test_ranks_flags_without_money_by_likelihood(self):
        queue = flags({"amount_at_risk": 0, "sev_deg": 3}, {"amount_at_risk": 0, "sev_deg": 1})

        assert order(queue) == ["FLAG2", "FLAG1"]

    def test_scores_an_empty_queue(self):
        assert triage_scores(
            flags({}).clear(), rule_precision={}, institution_scores=SCORES
        ).is_empty()
