import json

import pytest

from screening.rules import fee_outside_stay
from tests.screening.frames import fee_lines, settlements

STAY = {
    "med_type": "21",
    "begntime": "2025-03-01 10:00",
    "endtime": "2025-03-05 09:00",
}


def found(*rows: dict, stay: dict | None = None, **thresholds) -> list[dict]:
    result = fee_outside_stay.find(
        fee_lines=fee_lines(list(rows)), settlements=settlements([stay or STAY]), **thresholds
    )
    return result.collect().sort("feedetl_sn").to_dicts()


class TestFind:
    def test_flags_a_charge_the_day_after_discharge(self):
        [finding] = found({"fee_ocur_time": "2025-03-06 00:00", "pric": 3_000})

        assert finding["feedetl_sn"] == "F1"
        assert finding["setl_id"] == "S1"
        assert finding["sev_deg"] == 1
        assert finding["amount_at_risk"] == 3_000
        assert json.loads(finding["evidence"]) == {
            "med_list_codg": "001102000010000",
            "days_outside": 1,
            "fee_ocur_time": "2025-03-06 00:00:00",
            "admitted_at": "2025-03-01 10:00:00",
            "discharged_at": "2025-03-05 09:00:00",
            "side": "after_discharge",
            "grace_days": 0,
        }

    def test_flags_a_charge_the_day_before_admission(self):
        [finding] = found({"fee_ocur_time": "2025-02-28 23:59"})

        assert json.loads(finding["evidence"])["side"] == "before_admission"

    @pytest.mark.parametrize(
        "time",
        [
            "2025-03-01 00:00",  # admission day, before the admission hour
            "2025-03-05 23:59",  # discharge day, after the discharge hour
            "2025-03-03 12:00",
        ],
    )
    def test_accepts_charges_on_stay_days(self, time):
        assert found({"fee_ocur_time": time}) == []

    @pytest.mark.parametrize(
        "stay",
        [
            {**STAY, "med_type": "11"},  # outpatient: not a stay
            {**STAY, "refd_setl_flag": True},  # a reversal
            {**STAY, "setl_id": "S9"},  # the line's settlement is unknown
        ],
    )
    def test_ignores_lines_without_an_inpatient_settlement(self, stay):
        assert found({"fee_ocur_time": "2025-03-09 09:00"}, stay=stay) == []

    def test_a_refund_line_is_not_found(self):
        assert found({"fee_ocur_time": "2025-03-09 09:00", "cnt": -1.0}) == []

    def test_grace_days_allow_a_day_outside(self):
        line = {"fee_ocur_time": "2025-03-06 08:00"}

        assert found(line, grace_days=1) == []
        assert len(found({"fee_ocur_time": "2025-03-07 08:00"}, grace_days=1)) == 1
