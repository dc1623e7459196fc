import json

import pytest

from screening.rules import bed_blocking
from tests.screening.frames import bed_checks, fee_lines, settlements

STAY = {
    "setl_id": "S1",
    "med_type": "21",
    "begntime": "2025-03-01 10:00",
    "endtime": "2025-03-06 09:00",
    "hifp_pay": 500_000,
}


def day_lines(day: int, *types: str) -> list[dict]:
    time = f"2025-03-{day:02d} 08:00"
    return [
        {"fee_ocur_time": time, "med_chrgitm_type": kind, "med_list_codg": f"ITEM{kind}"}
        for kind in types
    ]


def busy_stay_lines(*idle: int) -> list[dict]:
    """Bed and nursing (10 yuan each) every day; treatment too except on the idle days."""
    rows = []
    for day in range(1, 7):
        rows += day_lines(day, "01", "07") if day in idle else day_lines(day, "01", "07", "05")
    return rows


def found(
    stays: list[dict], lines: list[dict] = (), checks: list[dict] = (), **thresholds
) -> list[dict]:
    result = bed_blocking.find(
        settlements=settlements(stays),
        fee_lines=fee_lines(list(lines)),
        bed_checks=bed_checks(list(checks)),
        **thresholds,
    )
    return result.collect().to_dicts()


class TestVisitElsewhere:
    def visit(self, **changes) -> dict:
        return {
            "setl_id": "S2",
            "fixmedins_code": "H2",
            "med_type": "11",
            "begntime": "2025-03-02 00:00",
            **changes,
        }

    def test_flags_a_stay_with_an_outpatient_visit_elsewhere_the_day_after_admission(self):
        [finding] = found([STAY, self.visit()], busy_stay_lines())

        assert finding["setl_id"] == "S1"
        assert finding["subject_key"] == "S1"
        assert finding["sev_deg"] == 2
        assert finding["amount_at_risk"] == 12_000  # 6 days of bed and nursing
        assert str(finding["event_time"]) == "2025-03-06 09:00:00"
        assert json.loads(finding["evidence"]) == {
            "reasons": ["elsewhere"],
            "admitted_at": "2025-03-01 10:00:00",
            "discharged_at": "2025-03-06 09:00:00",
            "elsewhere": [
                {
                    "setl_id": "S2",
                    "fixmedins_code": "H2",
                    "med_type": "11",
                    "begntime": "2025-03-02 00:00:00",
                }
            ],
            "absent_checks": None,
            "idle_from": None,
            "idle_to": None,
            "idle_days": None,
            "min_idle_days": 3,
            "bed_nursing_yuan": 120.0,
        }

    @pytest.mark.parametrize(
        "changes",
        [
            {"med_type": "41", "begntime": "2025-03-05 23:59"},  # pharmacy, the day before
            {"med_type": "21", "begntime": "2025-03-03 08:00", "endtime": "2025-03-09 08:00"},
        ],
    )
    def test_flags_pharmacy_and_inpatient_settlements_elsewhere(self, changes):
        assert len(found([STAY, self.visit(**changes)])) == 1

    @pytest.mark.parametrize(
        "changes",
        [
            {"begntime": "2025-03-01 23:00"},  # the admission day
            {"begntime": "2025-03-06 00:00"},  # the discharge day
            {"fixmedins_code": "H1"},  # the same institution
            {"psn_no": "P2"},  # someone else
            {"refd_setl_flag": True},  # a reversal
        ],
    )
    def test_ignores_near_misses(self, changes):
        assert found([STAY, self.visit(**changes)], busy_stay_lines()) == []

    @pytest.mark.parametrize("stay_changes", [{"med_type": "28"}, {"refd_setl_flag": True}])
    def test_ignores_day_surgery_and_reversed_stays(self, stay_changes):
        assert found([{**STAY, **stay_changes}, self.visit()]) == []

    def test_finds_nothing_without_fee_lines_or_bed_checks(self):
        assert found([STAY]) == []


class TestAbsentBedCheck:
    def test_flags_a_stay_whose_patient_was_absent_as_definite(self):
        checks = [
            {"check_id": "B1", "checked_at": "2025-03-03 15:00", "result": "2"},
            {"check_id": "B2", "checked_at": "2025-03-04 15:00", "result": "1"},
        ]

        [finding] = found([STAY], busy_stay_lines(), checks)

        assert finding["sev_deg"] == 1
        evidence = json.loads(finding["evidence"])
        assert evidence["reasons"] == ["absent_check"]
        assert evidence["absent_checks"] == [
            {"check_id": "B1", "checked_at": "2025-03-03 15:00:00"}
        ]

    @pytest.mark.parametrize(
        "check",
        [
            {"result": "1"},  # present
            {"result": "3"},  # no such patient: another rule's business
            {"result": "2", "mdtrt_id": "M9"},  # another encounter
            {"result": "2", "checked_at": "2025-03-06 09:01"},  # after the discharge
        ],
    )
    def test_ignores_other_checks(self, check):
        assert found([STAY], busy_stay_lines(), [{"checked_at": "2025-03-03 15:00", **check}]) == []


class TestIdleDays:
    def test_flags_three_consecutive_days_of_bed_and_nursing_only(self):
        [finding] = found([STAY], busy_stay_lines(3, 4, 5))

        assert finding["sev_deg"] == 2
        assert finding["amount_at_risk"] == 12_000
        evidence = json.loads(finding["evidence"])
        assert evidence["reasons"] == ["idle_days"]
        assert (evidence["idle_from"], evidence["idle_to"], evidence["idle_days"]) == (
            "2025-03-03",
            "2025-03-05",
            3,
        )

    def test_counts_the_admission_day(self):
        assert len(found([STAY], busy_stay_lines(1, 2, 3))) == 1

    def test_a_fully_refunded_drug_leaves_the_day_idle(self):
        drug = {"fee_ocur_time": "2025-03-04 09:00", "med_chrgitm_type": "09"}
        refund = {**drug, "fee_ocur_time": "2025-03-04 17:00", "cnt": -1.0}

        assert len(found([STAY], [*busy_stay_lines(3, 4, 5), drug, refund])) == 1

    @pytest.mark.parametrize(
        "lines",
        [
            busy_stay_lines(3, 5),  # treatment in the middle breaks the run
            busy_stay_lines(4, 5),  # two days only
            [line for line in busy_stay_lines(2, 3, 5) if "03-04" not in line["fee_ocur_time"]],
            [*busy_stay_lines(5, 6), *day_lines(7, "01", "07")],  # the day after discharge
            [*busy_stay_lines(3, 4, 5), *day_lines(4, "09")],  # a drug on an idle day
        ],
    )
    def test_ignores_near_misses(self, lines):
        assert found([STAY], lines) == []

    def test_lines_of_another_encounter_do_not_count(self):
        others = [{**line, "setl_id": "S9"} for line in busy_stay_lines(3, 4, 5)]

        assert found([STAY], [*busy_stay_lines(), *others]) == []

    def test_the_threshold_changes_the_outcome(self):
        assert found([STAY], busy_stay_lines(3, 4, 5), min_idle_days=4) == []
        assert len(found([STAY], busy_stay_lines(4, 5), min_idle_days=2)) == 1


def test_reports_every_reason_together():
    visit = {"setl_id": "S2", "fixmedins_code": "H2", "begntime": "2025-03-02 09:00"}
    check = {"checked_at": "2025-03-03 15:00", "result": "2"}

    [finding] = found([STAY, visit], busy_stay_lines(3, 4, 5), [check])

    reasons = json.loads(finding["evidence"])["reasons"]
    assert reasons == ["elsewhere", "absent_check", "idle_days"]
    assert finding["sev_deg"] == 1
