import json

import pytest

from screening.rules import dup_exam
from tests.screening.frames import catalog, fee_lines

CT = "002101000010000"  # 检查: not again within 30 days
LAB = "002501000010000"  # 化验 without a window
CATALOG = [
    {"med_list_codg": CT, "med_chrgitm_type": "03", "repeat_window_days": 30},
    {"med_list_codg": LAB, "med_chrgitm_type": "04"},
]


def exam(time: str, **changes) -> dict:
    return {"med_list_codg": CT, "med_chrgitm_type": "03", "fee_ocur_time": time, **changes}


def found(*rows: dict, **thresholds) -> list[dict]:
    result = dup_exam.find(fee_lines=fee_lines(list(rows)), catalog=catalog(CATALOG), **thresholds)
    return result.collect().sort("feedetl_sn").to_dicts()


class TestFind:
    def test_flags_a_repeat_29_days_later_at_another_institution(self):
        first = exam("2025-03-01 09:00")
        repeat = exam("2025-03-30 23:59", fixmedins_code="H2", setl_id="S2", pric=30_000)

        [finding] = found(first, repeat)

        assert finding["feedetl_sn"] == "F2"
        assert finding["fixmedins_code"] == "H2"
        assert finding["sev_deg"] == 2
        assert finding["amount_at_risk"] == 30_000
        assert json.loads(finding["evidence"]) == {
            "med_list_codg": CT,
            "gap_days": 29,
            "window_days": 30,
            "previous_feedetl_sn": "F1",
            "previous_fixmedins_code": "H1",
            "fee_ocur_time": "2025-03-30 23:59:00",
            "previous_time": "2025-03-01 09:00:00",
        }

    def test_flags_the_next_day_just_after_midnight(self):
        [finding] = found(exam("2025-03-01 23:59"), exam("2025-03-02 00:00"))

        assert json.loads(finding["evidence"])["gap_days"] == 1

    @pytest.mark.parametrize(
        "second",
        [
            exam("2025-03-31 00:00"),  # exactly 30 days later: allowed
            exam("2025-03-01 15:00"),  # same day: DUP_CHARGE's business
            exam("2025-03-10 09:00", psn_no="P2"),  # someone else
            exam("2025-03-10 09:00", med_list_codg=LAB, med_chrgitm_type="04"),  # no window
            exam("2025-03-10 09:00", cnt=-1.0),  # a refund line
        ],
    )
    def test_ignores_near_misses(self, second):
        assert found(exam("2025-03-01 09:00"), second) == []

    def test_a_refunded_exam_does_not_count_as_previous(self):
        rows = [
            exam("2025-03-01 09:00"),
            exam("2025-03-01 10:00", cnt=-1.0),
            exam("2025-03-10 09:00"),
        ]

        assert found(*rows) == []

    def test_each_repeat_is_measured_from_the_one_before(self):
        rows = [exam("2025-03-01 09:00"), exam("2025-03-20 09:00"), exam("2025-04-08 09:00")]

        assert [f["feedetl_sn"] for f in found(*rows)] == ["F2", "F3"]

    def test_default_window_applies_to_exams_without_one(self):
        lab = {"med_list_codg": LAB, "med_chrgitm_type": "04"}
        rows = [exam("2025-03-01 09:00", **lab), exam("2025-03-05 09:00", **lab)]

        assert found(*rows) == []
        [finding] = found(*rows, default_window_days=7)
        assert finding["feedetl_sn"] == "F2"
        assert json.loads(finding["evidence"])["window_days"] == 7


class TestApplies:
    """What the pre-check asks before running the rule: yes wherever find finds."""

    def applies(self, *rows: dict) -> bool:
        frames = {"fee_lines": fee_lines(list(rows)), "catalog": catalog(CATALOG)}
        return dup_exam.applies({name: frame.collect() for name, frame in frames.items()})

    def test_yes_to_an_exam_charged_twice_to_a_person(self):
        assert self.applies(exam("2025-03-01 09:00"), exam("2025-03-30 23:59", setl_id="S2"))

    @pytest.mark.parametrize(
        "changes",
        [
            {"cnt": -1.0},  # the second is a refund
            {"psn_no": "P2"},  # someone else's
            {"med_list_codg": LAB},  # another exam
            {"med_chrgitm_type": "09", "med_list_codg": "DRUG"},  # no exam
        ],
    )
    def test_no_to_a_single_charge(self, changes):
        rows = (exam("2025-03-01 09:00"), exam("2025-03-10 09:00", setl_id="S2", **changes))

        assert found(*rows) == []
        assert not self.applies(*rows)
