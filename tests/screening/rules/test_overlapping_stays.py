import json

import pytest

from screening.rules import overlapping_stays
from tests.screening.frames import settlements

FIRST = {
    "setl_id": "S1",
    "fixmedins_code": "H1",
    "med_type": "21",
    "begntime": "2025-03-01 08:00",
    "endtime": "2025-03-10 08:00",
    "hifp_pay": 900_000,
}


def second(**changes) -> dict:
    return {
        "setl_id": "S2",
        "fixmedins_code": "H2",
        "med_type": "21",
        "begntime": "2025-03-09 08:00",
        "endtime": "2025-03-15 08:00",
        "hifp_pay": 500_000,
        **changes,
    }


def found(*rows: dict, **thresholds) -> list[dict]:
    frame = settlements(list(rows))
    return overlapping_stays.find(settlements=frame, **thresholds).collect().to_dicts()


class TestFind:
    def test_flags_the_later_admission_overlapping_a_full_day(self):
        [finding] = found(FIRST, second())

        assert finding["setl_id"] == "S2"
        assert finding["subject_key"] == "S2"
        assert finding["fixmedins_code"] == "H2"
        assert finding["amount_at_risk"] == 500_000
        assert finding["sev_deg"] == 1
        assert str(finding["event_time"]) == "2025-03-15 08:00:00"
        assert json.loads(finding["evidence"]) == {
            "admitted_at": "2025-03-09 08:00:00",
            "discharged_at": "2025-03-15 08:00:00",
            "other_setl_id": "S1",
            "other_fixmedins_code": "H1",
            "other_admitted_at": "2025-03-01 08:00:00",
            "other_discharged_at": "2025-03-10 08:00:00",
            "overlap_hours": 24.0,
            "min_overlap_hours": 24,
            "overlapping_stays": 1,
        }

    def test_flags_a_stay_nested_inside_another_whatever_the_row_order(self):
        nested = second(begntime="2025-03-03 08:00", endtime="2025-03-05 08:00")

        [finding] = found(nested, FIRST)

        assert finding["setl_id"] == "S2"
        assert json.loads(finding["evidence"])["overlap_hours"] == 48.0

    def test_flags_a_day_surgery_stay(self):
        assert len(found(FIRST, second(med_type="28"))) == 1

    def test_names_the_stay_overlapping_most(self):
        third = second(setl_id="S3", fixmedins_code="H3", begntime="2025-03-05 08:00")
        later = second(setl_id="S4", fixmedins_code="H4", begntime="2025-03-06 08:00")

        findings = {f["setl_id"]: json.loads(f["evidence"]) for f in found(FIRST, third, later)}

        assert findings["S4"]["other_setl_id"] == "S3"
        assert findings["S4"]["overlapping_stays"] == 2

    @pytest.mark.parametrize(
        "changes",
        [
            {"begntime": "2025-03-09 08:00:01"},  # one second short of 24 hours
            {"fixmedins_code": "H1"},  # the same institution
            {"psn_no": "P2"},  # someone else
            {"med_type": "11"},  # an outpatient visit
            {"med_type": "41"},  # a pharmacy purchase
            {"refd_setl_flag": True},  # a reversal
            {"begntime": "2025-03-10 08:00", "endtime": "2025-03-12 08:00"},  # a transfer
        ],
    )
    def test_ignores_near_misses(self, changes):
        assert found(FIRST, second(**changes)) == []

    def test_a_lower_threshold_catches_a_shorter_overlap(self):
        short = second(begntime="2025-03-09 20:00")

        assert found(FIRST, short) == []
        assert len(found(FIRST, short, min_overlap_hours=12)) == 1

    def test_finds_nothing_in_empty_frames(self):
        assert found() == []
