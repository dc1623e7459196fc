import json

import pytest

from screening.rules import frequent_visits
from tests.screening.frames import settlements

EVERY_THIRD_DAY = (1, 4, 7, 10, 13, 16, 19, 22, 25)  # nine visits, March 2025


def visits(days, institutions=("H1", "H2", "H3"), hour: str = "09:00", **changes) -> list[dict]:
    """Outpatient visits on the given days of March, rotating over the institutions."""
    return [
        {
            "setl_id": f"S{number:02d}",
            "fixmedins_code": institutions[number % len(institutions)],
            "begntime": day if isinstance(day, str) else f"2025-03-{day:02d} {hour}",
            "medfee_sumamt": 10_000 + number,
            **changes,
        }
        for number, day in enumerate(days)
    ]


def found(rows: list[dict], **thresholds) -> list[dict]:
    result = frequent_visits.find(settlements=settlements(rows), **thresholds)
    return result.collect().to_dicts()


class TestAnyInstitution:
    def test_flags_the_ninth_visit_in_thirty_days(self):
        [finding] = found(visits(EVERY_THIRD_DAY))

        assert finding["setl_id"] == "S08"
        assert finding["subject_key"] == "P1|any||2025-03"
        assert finding["psn_no"] == "P1"
        assert finding["fixmedins_code"] == "H3"
        assert finding["amount_at_risk"] == 10_008
        assert finding["sev_deg"] == 3
        assert str(finding["event_time"]) == "2025-03-25 09:00:00"
        evidence = json.loads(finding["evidence"])
        assert {key: evidence[key] for key in evidence if key != "visits"} == {
            "branch": "any",
            "limit": 8,
            "window_days": 30,
            "window_from": "2025-02-24",
            "window_to": "2025-03-25",
            "visits_in_window": 9,
            "beyond_limit_yuan": 100.08,
        }
        assert evidence["visits"][0] == {
            "setl_id": "S00",
            "fixmedins_code": "H1",
            "begntime": "2025-03-01 09:00:00",
        }
        assert [visit["setl_id"] for visit in evidence["visits"]] == [
            f"S{number:02d}" for number in range(9)
        ]

    def test_counts_a_visit_at_midnight_twenty_nine_days_before(self):
        days = ["2025-02-24 00:00", *EVERY_THIRD_DAY[1:], "2025-03-25 23:59"]

        assert len(found(visits(days))) == 1

    def test_every_visit_of_the_crossing_day_is_beyond_the_limit(self):
        [finding] = found(visits([*EVERY_THIRD_DAY, 25]))

        assert finding["setl_id"] == "S08"
        assert finding["amount_at_risk"] == 10_008 + 10_009

    def test_reports_once_a_month(self):
        days = [*EVERY_THIRD_DAY, 28, 31, "2025-04-03 09:00"]

        findings = found(visits(days))

        assert sorted((f["setl_id"], f["subject_key"]) for f in findings) == [
            ("S08", "P1|any||2025-03"),
            ("S11", "P1|any||2025-04"),
        ]

    @pytest.mark.parametrize(
        "rows",
        [
            visits(EVERY_THIRD_DAY[:8]),  # exactly eight
            visits(["2025-02-23 23:59", *EVERY_THIRD_DAY[1:]]),  # thirty days before
            visits(EVERY_THIRD_DAY[:8]) + visits([25], psn_no="P2"),  # someone else
            visits(EVERY_THIRD_DAY[:8]) + visits([25], med_type="21"),  # an admission
            visits(EVERY_THIRD_DAY[:8]) + visits([25], med_type="41"),  # a pharmacy purchase
            visits(EVERY_THIRD_DAY[:8]) + visits([25], refd_setl_flag=True),  # a reversal
        ],
    )
    def test_ignores_near_misses(self, rows):
        rows = [{**row, "setl_id": f"S{number:02d}"} for number, row in enumerate(rows)]

        assert found(rows) == []

    def test_counts_emergency_and_chronic_visits(self):
        rows = visits(EVERY_THIRD_DAY)
        rows[0]["med_type"], rows[1]["med_type"] = "13", "14"

        assert len(found(rows)) == 1

    def test_thresholds_change_the_outcome(self):
        assert found(visits(EVERY_THIRD_DAY), max_visits=9) == []
        assert len(found(visits(EVERY_THIRD_DAY[:8]), max_visits=7)) == 1
        assert found(visits(EVERY_THIRD_DAY), window_days=20) == []


class TestSameInstitution:
    def test_flags_the_fourth_visit_in_seven_days(self):
        [finding] = found(visits([1, 3, 5, 7], institutions=("H1",)))

        assert finding["setl_id"] == "S03"
        assert finding["subject_key"] == "P1|institution|H1|2025-03"
        assert finding["fixmedins_code"] == "H1"
        assert finding["amount_at_risk"] == 10_003
        evidence = json.loads(finding["evidence"])
        assert evidence["branch"] == "institution"
        assert evidence["limit"] == 3
        assert evidence["window_from"] == "2025-03-01"
        assert evidence["visits_in_window"] == 4

    def test_reports_each_institution_apart(self):
        rows = visits([1, 1, 2, 2, 3, 3, 4, 4], institutions=("H1", "H2"))

        keys = sorted(f["subject_key"] for f in found(rows))

        assert keys == ["P1|institution|H1|2025-03", "P1|institution|H2|2025-03"]

    @pytest.mark.parametrize(
        "rows",
        [
            visits([1, 3, 5, 8], institutions=("H1",)),  # seven days after the first
            visits([1, 3, 5, 7], institutions=("H1", "H1", "H1", "H2")),  # elsewhere
        ],
    )
    def test_ignores_near_misses(self, rows):
        assert found(rows) == []

    def test_thresholds_change_the_outcome(self):
        rows = visits([1, 3, 5, 8], institutions=("H1",))

        assert len(found(rows, institution_window_days=8)) == 1
        assert found(visits([1, 3, 5, 7], institutions=("H1",)), max_institution_visits=4) == []


def test_finds_nothing_in_empty_frames():
    assert found([]) == []
