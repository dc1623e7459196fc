import json

import pytest

from screening.rules import over_price
from tests.screening.frames import catalog, fee_lines

ITEM = "001201000010000"
CATALOG = [{"med_list_codg": ITEM, "pric_uplmt_amt": 1_000}, {"med_list_codg": "UNCAPPED"}]


def line(**changes) -> dict:
    return {"med_list_codg": ITEM, "pric": 1_250, "cnt": 2.0, **changes}


def found(*rows: dict, **thresholds) -> list[dict]:
    result = over_price.find(
        fee_lines=fee_lines(list(rows)), catalog=catalog(CATALOG), **thresholds
    )
    return result.collect().sort("feedetl_sn").to_dicts()


class TestFind:
    def test_flags_a_price_above_the_cap(self):
        [finding] = found(line())

        assert finding["feedetl_sn"] == "F1"
        assert finding["subject_key"] == "F1"
        assert finding["setl_id"] == "S1"
        assert finding["sev_deg"] == 1
        assert finding["amount_at_risk"] == 500  # (12.50 - 10.00) × 2
        assert json.loads(finding["evidence"]) == {
            "med_list_codg": ITEM,
            "fee_ocur_time": "2025-03-10 09:00:00",
            "pric_yuan": 12.5,
            "pric_uplmt_amt_yuan": 10.0,
            "cnt": 2.0,
            "over_per_unit_yuan": 2.5,
            "tolerance_yuan": 0.0,
        }

    @pytest.mark.parametrize(
        "changes",
        [
            {"pric": 1_000},  # exactly the cap
            {"med_list_codg": "UNCAPPED"},  # no cap
            {"med_list_codg": "NOT_IN_CATALOG"},
            {"cnt": -2.0},  # a refund line
        ],
    )
    def test_ignores_near_misses(self, changes):
        assert found(line(**changes)) == []

    def test_one_fen_over_is_found(self):
        [finding] = found(line(pric=1_001, cnt=3.0))

        assert finding["amount_at_risk"] == 3

    def test_evidence_yuan_are_exact_to_the_fen(self):
        [finding] = found(line(pric=1_251))

        assert json.loads(finding["evidence"])["over_per_unit_yuan"] == 2.51

    def test_a_refunded_line_is_not_found(self):
        assert found(line(), line(cnt=-2.0, fee_ocur_time="2025-03-10 10:00")) == []

    def test_a_partly_refunded_line_counts_its_remaining_units(self):
        [finding] = found(line(), line(cnt=-1.0, fee_ocur_time="2025-03-10 10:00"))

        assert finding["amount_at_risk"] == 250

    def test_tolerance_lets_small_excess_pass(self):
        assert found(line(pric=1_050), tolerance_fen=50) == []
        assert len(found(line(pric=1_051), tolerance_fen=50)) == 1


class TestApplies:
    """What the pre-check asks before running the rule: yes wherever find finds."""

    def applies(self, *rows: dict) -> bool:
        frames = {"fee_lines": fee_lines(list(rows)), "catalog": catalog(CATALOG)}
        return over_price.applies({name: frame.collect() for name, frame in frames.items()})

    def test_yes_to_a_line_one_fen_over_its_cap(self):
        assert self.applies(line(pric=1_000), line(pric=1_001))

    @pytest.mark.parametrize(
        "changes",
        [
            {"pric": 1_000},
            {"med_list_codg": "UNCAPPED"},
            {"med_list_codg": "NOT_IN_CATALOG"},
            {"cnt": -2.0},
        ],
    )
    def test_no_where_find_finds_nothing(self, changes):
        assert found(line(**changes)) == []
        assert not self.applies(line(**changes))
