import json

import pytest

from screening.rules import excess_quantity
from tests.screening.frames import catalog, fee_lines, settlements

DRUG = "XC09AAA000A001010101000"
CAPPED = "ZA01AAA0001010101000"


def supply(day: str, prd_days: int, **changes) -> dict:
    number = changes.pop("visit", 1)
    return {
        "setl_id": f"S{number}",
        "med_list_codg": DRUG,
        "med_chrgitm_type": "09",
        "fee_ocur_time": f"{day} 09:00",
        "prd_days": prd_days,
        "pric": 1_000,
        "cnt": float(prd_days),
        **changes,
    }


def found(*rows: dict, med_type: str = "14", **thresholds) -> list[dict]:
    visits = sorted({row["setl_id"] for row in rows})
    result = excess_quantity.find(
        fee_lines=fee_lines(list(rows)),
        catalog=catalog(
            [{"med_list_codg": DRUG}, {"med_list_codg": CAPPED, "max_supply_days": 14}]
        ),
        settlements=settlements([{"setl_id": visit, "med_type": med_type} for visit in visits]),
        **thresholds,
    )
    return result.collect().sort("feedetl_sn").to_dicts()


class TestOneLine:
    def test_flags_chronic_care_supply_over_30_days(self):
        [finding] = found(supply("2025-03-01", 40))

        assert finding["feedetl_sn"] == "F1"
        assert finding["sev_deg"] == 2
        assert finding["amount_at_risk"] == 10_000  # 40 000 × 10 / 40
        evidence = json.loads(finding["evidence"])
        assert evidence["branch"] == "line"
        assert (evidence["prd_days"], evidence["supply_limit"]) == (40, 30)

    def test_thirty_days_is_allowed(self):
        assert found(supply("2025-03-01", 30)) == []

    @pytest.mark.parametrize(
        ("med_type", "days", "count"), [("11", 7, 0), ("11", 8, 1), ("41", 8, 1)]
    )
    def test_other_outpatient_and_pharmacy_lines_have_7_days(self, med_type, days, count):
        assert len(found(supply("2025-03-01", days), med_type=med_type)) == count

    def test_the_catalog_limit_comes_first(self):
        assert len(found(supply("2025-03-01", 15, med_list_codg=CAPPED))) == 1
        assert found(supply("2025-03-01", 14, med_list_codg=CAPPED)) == []

    def test_inpatient_lines_have_no_line_limit(self):
        assert found(supply("2025-03-01", 60), med_type="21") == []

    def test_thresholds_change_the_default_limit(self):
        assert found(supply("2025-03-01", 40), chronic_supply_days=40) == []


class TestWindow:
    def test_flags_the_line_that_takes_the_window_past_120_days(self):
        rows = [
            supply(day, 30, visit=n)
            for n, day in enumerate(
                ["2025-01-01", "2025-01-31", "2025-03-01", "2025-03-31", "2025-03-31"], 1
            )
        ]

        findings = found(*rows)

        assert [f["feedetl_sn"] for f in findings] == ["F5"]
        evidence = json.loads(findings[0]["evidence"])
        assert evidence["branch"] == "window"
        assert evidence["window_supply_days"] == 150  # days 01-01..03-31 are within 90 days
        assert findings[0]["amount_at_risk"] == 30_000  # excess 30 of 30 days: the whole line

    def test_a_line_90_days_earlier_is_outside_the_window(self):
        days = ["2025-01-01", "2025-01-31", "2025-03-01", "2025-04-01", "2025-04-01"]
        rows = [supply(day, 30, visit=n) for n, day in enumerate(days, 1)]

        # 2025-04-01 - 90 days = 2025-01-01: that line no longer counts (120 in the window).
        assert found(*rows) == []

    def test_the_window_counts_days_not_hours(self):
        # Late on the window's first day and early on its last: both in (89 days apart);
        # a line of the day before the window stays out, whatever its hour.
        rows = [
            supply("2025-01-01", 30, visit=1, fee_ocur_time="2025-01-01 23:59"),
            supply("2025-01-02", 30, visit=2, fee_ocur_time="2025-01-02 23:59"),
            supply("2025-02-15", 30, visit=3),
            supply("2025-03-15", 30, visit=4),
            supply("2025-04-01", 30, visit=5, fee_ocur_time="2025-04-01 00:00"),
            supply("2025-04-01", 1, visit=6, fee_ocur_time="2025-04-01 00:00"),
        ]

        [finding] = found(*rows)

        assert finding["feedetl_sn"] == "F6"
        assert json.loads(finding["evidence"])["window_supply_days"] == 121  # F2 to F6

    def test_exactly_120_days_is_allowed(self):
        days = ["2025-01-01", "2025-01-31", "2025-03-01", "2025-03-31"]

        assert found(*[supply(day, 30, visit=n) for n, day in enumerate(days, 1)]) == []

    def test_someone_else_and_another_drug_do_not_add_up(self):
        rows = [
            supply("2025-01-01", 30),
            supply("2025-01-31", 30, visit=2),
            supply("2025-03-01", 30, visit=3, psn_no="P2"),
            supply("2025-03-31", 30, visit=4, med_list_codg=CAPPED.replace("Z", "Y")),
        ]

        assert found(*rows) == []

    def test_a_line_over_its_own_limit_is_not_reported_twice(self):
        rows = [supply(day, 30, visit=n) for n, day in enumerate(["2025-01-01", "2025-01-31"], 1)]

        findings = found(*rows, supply("2025-02-20", 70, visit=3))

        assert [json.loads(f["evidence"])["branch"] for f in findings] == ["line"]

    def test_refunded_supply_does_not_count(self):
        days = ["2025-01-01", "2025-01-31", "2025-03-01", "2025-03-31"]
        rows = [supply(day, 30, visit=n) for n, day in enumerate(days, 1)]
        refund = supply("2025-03-31", 30, visit=4, cnt=-30.0, fee_ocur_time="2025-03-31 10:00")

        assert found(*rows, supply("2025-03-31", 30, visit=4), refund) == []

    def test_max_window_supply_days_threshold(self):
        days = ["2025-01-01", "2025-01-31", "2025-03-01"]
        rows = [supply(day, 30, visit=n) for n, day in enumerate(days, 1)]

        assert len(found(*rows, max_window_supply_days=89)) == 1
