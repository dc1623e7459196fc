import json

import pytest

from screening.rules import low_standard_admission
from tests.screening.frames import fee_lines, settlements

SHORT_STAY = {
    "setl_id": "S1",
    "med_type": "21",
    "begntime": "2025-03-10 08:00",
    "endtime": "2025-03-12 23:59",
    "dise_codg": "J18.900",
    "medfee_sumamt": 10_000,
    "hifp_pay": 7_000,
}
MOSTLY_EXAMS = [
    {"med_chrgitm_type": "03", "pric": 5_000},
    {"med_chrgitm_type": "04", "pric": 3_000},
    {"med_chrgitm_type": "01", "pric": 2_000},
]


def long_stays(count: int, **changes) -> list[dict]:
    return [
        {
            "setl_id": f"SL{number}",
            "psn_no": f"P{number + 10}",
            "med_type": "21",
            "begntime": "2025-02-01 08:00",
            "endtime": "2025-02-10 08:00",
            "dise_codg": "I63.900",
            "medfee_sumamt": 50_000,
            **changes,
        }
        for number in range(count)
    ]


def found(stays: list[dict], lines: list[dict] = (), **thresholds) -> list[dict]:
    result = low_standard_admission.find(
        settlements=settlements(stays), fee_lines=fee_lines(list(lines)), **thresholds
    )
    return result.collect().to_dicts()


class TestMostlyExams:
    def test_flags_a_two_day_stay_with_eighty_percent_exams(self):
        [finding] = found([SHORT_STAY], MOSTLY_EXAMS)

        assert finding["setl_id"] == "S1"
        assert finding["subject_key"] == "S1"
        assert finding["amount_at_risk"] == 7_000
        assert finding["sev_deg"] == 3
        assert str(finding["event_time"]) == "2025-03-12 23:59:00"
        evidence = json.loads(finding["evidence"])
        assert evidence["stay_days"] == 2
        assert evidence["exam_amount_yuan"] == 80.0
        assert evidence["fee_amount_yuan"] == 100.0
        assert evidence["exam_share"] == 0.8
        assert evidence["min_exam_share"] == 0.8
        assert evidence["mostly_exams"] is True
        assert evidence["cheap_and_minor"] is False

    @pytest.mark.parametrize(
        ("stay_changes", "lines"),
        [
            ({}, [*MOSTLY_EXAMS[:2], {"med_chrgitm_type": "01", "pric": 2_001}]),  # 79.99 %
            ({"endtime": "2025-03-13 00:00"}, MOSTLY_EXAMS),  # three days
            ({"med_type": "28"}, MOSTLY_EXAMS),  # day surgery
            ({"med_type": "11"}, MOSTLY_EXAMS),  # outpatient
            ({"refd_setl_flag": True}, MOSTLY_EXAMS),  # a reversal
            ({}, [{**line, "setl_id": "S9"} for line in MOSTLY_EXAMS]),  # another encounter
            ({}, []),  # no fee details
        ],
    )
    def test_ignores_near_misses(self, stay_changes, lines):
        assert found([{**SHORT_STAY, **stay_changes}], lines) == []

    def test_nets_refunded_exams_out(self):
        refund = {"med_chrgitm_type": "03", "cnt": -1.0, "pric": 5_000}
        bed = {"med_chrgitm_type": "01", "pric": 2_000}

        assert found([SHORT_STAY], [*MOSTLY_EXAMS, refund, bed, bed]) == []

    def test_thresholds_change_the_outcome(self):
        three_days = {**SHORT_STAY, "endtime": "2025-03-13 08:00"}
        three_quarters = [*MOSTLY_EXAMS[:2], {"med_chrgitm_type": "01", "pric": 2_666}]

        assert len(found([three_days], MOSTLY_EXAMS, max_stay_days=3)) == 1
        assert len(found([SHORT_STAY], three_quarters, min_exam_share=0.75)) == 1


class TestOutpatientManageable:
    def cheap_minor(self, **changes) -> dict:
        return {**SHORT_STAY, "dise_codg": "J06.900", "medfee_sumamt": 40_000, **changes}

    def test_flags_a_cheap_stay_for_an_outpatient_diagnosis(self):
        [finding] = found([*long_stays(10), self.cheap_minor()])

        # Linear p10 of one 400 yuan and ten 500 yuan stays is 500 yuan.
        evidence = json.loads(finding["evidence"])
        assert evidence["category"] == "J06"
        assert evidence["outpatient_manageable"] is True
        assert evidence["cheap_and_minor"] is True
        assert evidence["medfee_sumamt_yuan"] == 400.0
        assert evidence["cost_limit_yuan"] == 500.0
        assert evidence["cost_percentile"] == 10.0

    @pytest.mark.parametrize(
        ("peer_changes", "stay_changes"),
        [
            ({}, {"medfee_sumamt": 50_000}),  # at the percentile, not under it
            ({}, {"dise_codg": "J18.000"}),  # not on the list
            ({}, {"endtime": "2025-03-13 00:00"}),  # three days
            ({"fixmedins_code": "H2"}, {}),  # the cheaper stays are another institution's
            ({"med_type": "11"}, {}),  # outpatient visits are not stays
        ],
    )
    def test_ignores_near_misses(self, peer_changes, stay_changes):
        assert found([*long_stays(10, **peer_changes), self.cheap_minor(**stay_changes)]) == []

    def test_the_list_and_the_percentile_are_thresholds(self):
        pneumonia = self.cheap_minor(dise_codg="J18.000")
        # 21 stays: 300, 400 (this one), then 19 × 600 yuan; p10 is 600 yuan, p5 400 yuan.
        cheapest = {**long_stays(1)[0], "setl_id": "SC", "medfee_sumamt": 30_000}
        spread = [cheapest, *long_stays(19, medfee_sumamt=60_000), self.cheap_minor()]

        assert len(found([*long_stays(10), pneumonia], outpatient_categories="J18|K29")) == 1
        assert len(found(spread)) == 1
        assert found(spread, cost_percentile=5.0) == []


def test_finds_nothing_in_empty_frames():
    assert found([]) == []
