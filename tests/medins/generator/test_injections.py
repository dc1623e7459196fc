import polars as pl
import pytest
from django.core.management import CommandError, call_command

from tests.medins.generator.rulecheck import RULES, key_of

ALL_RULES = (*RULES, "PEER_ANOMALY", "PRACTITIONER_ANOMALY")


class TestTruth:
    def test_every_rule_has_injected_rows(self, batch):
        injected = set(batch["truth"]["rule_code"])

        assert injected == set(ALL_RULES)

    def test_truth_keys_exist_in_the_files(self, batch):
        truth = batch["truth"]
        lines = truth.filter(pl.col("feedetl_sn").is_not_null())

        assert set(lines["feedetl_sn"]) <= set(batch["fee_details"]["feedetl_sn"])
        assert set(truth["setl_id"].drop_nulls()) <= set(batch["settlements"]["setl_id"])
        assert set(truth["psn_no"].drop_nulls()) <= set(batch["persons"]["psn_no"])
        assert set(truth["fixmedins_code"].drop_nulls()) <= set(
            batch["institutions"]["fixmedins_code"]
        )
        assert set(truth["dr_code"].drop_nulls()) <= set(batch["practitioners"]["dr_code"])

    def test_every_truth_row_fills_the_key_of_its_scope(self, batch):
        for rule in RULES:
            rows = batch["truth"].filter(pl.col("rule_code") == rule)

            assert rows[key_of(rule)].null_count() == 0, rule
        anomalies = batch["truth"].filter(pl.col("rule_code") == "PRACTITIONER_ANOMALY")
        assert anomalies["dr_code"].null_count() == 0

    def test_anomalous_practitioners_are_internists_with_patients_to_compare(self, batch):
        named = batch["truth"].filter(pl.col("rule_code") == "PRACTITIONER_ANOMALY")["dr_code"]
        registry = batch["practitioners"].filter(pl.col("dr_code").is_in(named.implode()))

        assert registry.height == named.n_unique()
        assert set(registry["dept_codg"]) == {"A03"}


class TestRulesFindExactlyTheInjected:
    """Each rule computed in plain polars per docs/rules-interpretation.md."""

    @pytest.mark.parametrize("rule", list(RULES))
    def test_injected_records_break_their_rule_and_clean_ones_do_not(self, batch, rule):
        expected = set(batch["truth"].filter(pl.col("rule_code") == rule)[key_of(rule)])

        assert RULES[rule](batch) == expected

    @pytest.mark.parametrize("rule", [r for r in RULES if r != "EXCESSIVE_COST"])
    def test_near_misses_at_the_limit_are_not_found(self, batch, rule):
        near = set(batch["near_misses"].filter(pl.col("rule_code") == rule)[key_of(rule)])

        assert near
        assert not near & RULES[rule](batch)


class TestAnomalies:
    def test_inflated_institutions_order_more_per_encounter(self, batch):
        inflated = set(
            batch["truth"].filter(pl.col("rule_code") == "PEER_ANOMALY")["fixmedins_code"]
        )
        per_encounter = (
            batch["fee_details"]
            .filter(pl.col("bilg_dept_codg") == "A03")
            .group_by("fixmedins_code", "setl_id")
            .len()
            .group_by("fixmedins_code")
            .agg(items=pl.col("len").mean())
            .join(batch["institutions"].select("fixmedins_code", "level"), on="fixmedins_code")
        )
        peers = per_encounter.filter(pl.col("level") == 1)
        typical = peers.filter(~pl.col("fixmedins_code").is_in(list(inflated)))["items"].median()
        flagged = peers.filter(pl.col("fixmedins_code").is_in(list(inflated)))["items"]

        assert len(flagged) > 0
        assert flagged.min() > typical + 2


class TestCommand:
    def test_writes_a_batch_and_says_what_it_injected(self, tmp_path, capsys):
        call_command("generate_province", persons=200, months=1, seed=2, out=tmp_path)

        printed = capsys.readouterr().out
        assert "fee_details" in printed
        assert "Injected:" in printed
        assert (tmp_path / "settlements.csv").exists()

    def test_a_bad_start_is_a_clear_error(self, tmp_path):
        with pytest.raises(CommandError, match="YYYY-MM-DD"):
            call_command(
                "generate_province",
                "--persons",
                "10",
                "--months",
                "1",
                "--out",
                str(tmp_path),
                "--start",
                "2025-13-01",
            )
