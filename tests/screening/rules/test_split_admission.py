import json

import pytest

from screening.rules import split_admission
from tests.screening.frames import settlements

FIRST = {
    "setl_id": "S1",
    "med_type": "21",
    "begntime": "2025-03-01 08:00",
    "endtime": "2025-03-05 10:00",
    "dise_codg": "I63.900",
    "hifp_pay": 800_000,
}


def readmission(**changes) -> dict:
    return {
        "setl_id": "S2",
        "med_type": "21",
        "begntime": "2025-03-20 09:00",
        "endtime": "2025-03-25 10:00",
        "dise_codg": "I63.800",
        "hifp_pay": 700_000,
        **changes,
    }


def found(*rows: dict, **thresholds) -> list[dict]:
    frame = settlements(list(rows))
    return split_admission.find(settlements=frame, **thresholds).collect().to_dicts()


class TestFind:
    def test_flags_a_readmission_fifteen_days_after_the_discharge_day(self):
        [finding] = found(FIRST, readmission())

        assert finding["setl_id"] == "S2"
        assert finding["subject_key"] == "S2"
        assert finding["psn_no"] == "P1"
        assert finding["fixmedins_code"] == "H1"
        assert finding["amount_at_risk"] == 700_000
        assert finding["sev_deg"] == 2
        assert str(finding["event_time"]) == "2025-03-25 10:00:00"
        assert json.loads(finding["evidence"]) == {
            "category": "I63",
            "dise_codg": "I63.800",
            "gap_days": 15,
            "max_gap_days": 15,
            "admitted_at": "2025-03-20 09:00:00",
            "previous_setl_id": "S1",
            "previous_dise_codg": "I63.900",
            "previous_admitted_at": "2025-03-01 08:00:00",
            "previous_discharged_at": "2025-03-05 10:00:00",
        }

    def test_flags_a_readmission_on_the_discharge_day(self):
        [finding] = found(FIRST, readmission(begntime="2025-03-05 23:59"))

        assert json.loads(finding["evidence"])["gap_days"] == 0

    def test_matches_the_category_whatever_the_case_of_the_code(self):
        assert len(found(FIRST, readmission(dise_codg="i63.101"))) == 1

    def test_pairs_stays_of_the_same_condition_across_another_stay(self):
        other = readmission(setl_id="S3", begntime="2025-03-06 08:00", endtime="2025-03-08 08:00")

        [finding] = found(FIRST, {**other, "dise_codg": "J18.900"}, readmission())

        assert json.loads(finding["evidence"])["previous_setl_id"] == "S1"

    def test_flags_each_readmission_of_a_chain(self):
        third = readmission(setl_id="S3", begntime="2025-03-30 08:00", endtime="2025-04-02 08:00")

        assert sorted(f["setl_id"] for f in found(FIRST, readmission(), third)) == ["S2", "S3"]

    @pytest.mark.parametrize(
        "changes",
        [
            {"begntime": "2025-03-21 00:00", "endtime": "2025-03-25 10:00"},  # 16 days
            {"fixmedins_code": "H2"},  # a transfer to another institution
            {"psn_no": "P2"},  # someone else
            {"dise_codg": "I64.900"},  # another category
            {"med_type": "11"},  # an outpatient visit
            {"refd_setl_flag": True},  # a reversal
            {"dise_codg": None},  # no diagnosis
            {"begntime": "2025-03-03 08:00", "endtime": "2025-03-04 08:00"},  # inside the first
        ],
    )
    def test_ignores_near_misses(self, changes):
        assert found(FIRST, readmission(**changes)) == []

    def test_never_pairs_with_a_reversed_first_stay(self):
        assert found({**FIRST, "refd_setl_flag": True}, readmission()) == []

    def test_a_shorter_gap_threshold_clears_the_pair(self):
        assert found(FIRST, readmission(), max_gap_days=14) == []

    def test_a_longer_gap_threshold_catches_a_later_readmission(self):
        late = readmission(begntime="2025-03-25 09:00", endtime="2025-03-27 10:00")

        assert len(found(FIRST, late, max_gap_days=20)) == 1

    def test_finds_nothing_in_empty_frames(self):
        assert found() == []
