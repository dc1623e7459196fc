import json
from datetime import datetime

import pytest

from screening.frames import empty
from screening.rules import peer_anomaly
from tests.screening.frames import fee_lines, institutions, persons, settlements

PEERS = [f"H{number}" for number in range(1, 9)]  # eight clean level-3 hospitals
INSTITUTIONS = institutions([{"fixmedins_code": code} for code in [*PEERS, "HX"]])


def visits(
    code: str, yuan: int, count: int = 10, tag: str = "", **changes
) -> tuple[list[dict], list[dict]]:
    """`count` outpatient visits at `code` costing `yuan` each, one fee line apiece."""
    rows, lines = [], []
    for number in range(count):
        setl_id = f"S-{code}-{changes.get('adm_dept_codg', 'A03')}-{tag}{number}"
        rows.append({"setl_id": setl_id, "fixmedins_code": code, "medfee_sumamt": yuan * 100})
        rows[-1].update(changes)
        lines.append({"setl_id": setl_id, "fixmedins_code": code, "pric": yuan * 100})
    return rows, lines


def found(outlier: tuple[list[dict], list[dict]], **options) -> list[dict]:
    """Findings among eight clean peers; one feature off is enough here unless a test asks
    for the default (two: see TestTwoFeatures)."""
    options.setdefault("min_features", 1)
    rows, lines = [], []
    for code in PEERS:
        peer_rows, peer_lines = visits(code, 100)
        rows += peer_rows
        lines += peer_lines
    frames = {
        "fee_lines": fee_lines(lines + outlier[1]),
        "settlements": settlements(rows + outlier[0]),
        "institutions": INSTITUTIONS,
        "persons": persons([{"psn_no": "P1"}]),
        **options.pop("frames", {}),
    }
    return peer_anomaly.find(**frames, **options).collect().to_dicts()


class TestFind:
    def test_flags_a_department_charging_three_times_its_peers(self):
        [finding] = found(visits("HX", 300))

        assert finding["subject_key"] == "HX|A03|2025-03"
        assert finding["fixmedins_code"] == "HX"
        assert (finding["setl_id"], finding["dr_code"], finding["psn_no"]) == (None, None, None)
        assert finding["event_time"] == datetime(2025, 3, 1)
        assert finding["sev_deg"] == 3
        assert finding["amount_at_risk"] == 200_000  # (300 − 100) yuan × 10 visits, in fen

    def test_explains_the_finding(self):
        [finding] = found(visits("HX", 300))

        evidence = json.loads(finding["evidence"])
        assert evidence["department"] == "A03"
        assert evidence["month"] == "2025-03"
        assert (evidence["encounters"], evidence["visits"], evidence["admissions"]) == (10, 10, 0)
        assert evidence["cost_per_visit_yuan"] == 300.0
        assert evidence["peer_median_cost_per_visit_yuan"] == 100.0
        assert evidence["excess_cost_yuan"] == 2000.0
        assert evidence["z_threshold"] == 3.5
        # Eight peers at 100 and one at 300: the spread is 1.2533 × the mean deviation.
        assert evidence["features"] == [
            {
                "feature": "cost_per_visit",
                "value": 300.0,
                "peer_median": 100.0,
                "z": round(9 / 1.2533, 2),
                "peers": 9,
            }
        ]

    def test_flags_a_share_outlier_without_money_at_risk(self):
        rows, lines = visits("HX", 100)

        [finding] = found((rows, [{**line, "chrgitm_lv": "03"} for line in lines]))

        evidence = json.loads(finding["evidence"])
        assert [feature["feature"] for feature in evidence["features"]] == ["class_c_share"]
        assert finding["amount_at_risk"] == 0

    @pytest.mark.parametrize(
        "outlier",
        [
            visits("HX", 104),  # within 5 % of the peers
            visits("HX", 30),  # cheaper than the peers is not suspicious here
            visits("HX", 300, count=9),  # too few visits to compare
            visits("HX", 300, adm_dept_codg="A04"),  # another department: no peers there
            visits("HX", 300, refd_setl_flag=True),  # reversals
            visits("HX", 300, setl_time="2025-04-01 00:00"),  # April: alone that month
            visits("H1", 100),  # ten more ordinary visits at a peer
        ],
        ids=["within-5%", "cheaper", "small", "other-dept", "reversal", "april", "ordinary"],
    )
    def test_ignores_near_misses(self, outlier):
        assert found(outlier) == []

    def test_counts_a_visit_settled_just_before_midnight_in_its_month(self):
        [finding] = found(visits("HX", 300, setl_time="2025-03-31 23:59:59"))

        assert finding["subject_key"] == "HX|A03|2025-03"

    @pytest.mark.parametrize(
        ("options", "flagged"),
        [
            ({"z_threshold": 8.0}, True),  # still the model's strangest, with z above the floor
            ({"z_threshold": 8.0, "model_top_share": 0.0}, False),
            ({"z_threshold": 8.0, "z_floor": 8.0}, False),
            ({"min_peers": 10}, False),
            ({"min_encounters": 11}, False),
        ],
    )
    def test_follows_its_thresholds(self, options, flagged):
        assert bool(found(visits("HX", 300), **options)) is flagged

    def test_needs_neither_fee_lines_nor_persons(self):
        frames = {"fee_lines": empty("fee_lines"), "persons": empty("persons")}

        [finding] = found(visits("HX", 300), frames=frames)

        assert finding["amount_at_risk"] == 200_000

    def test_finds_nothing_in_no_data(self):
        result = peer_anomaly.find(
            fee_lines=empty("fee_lines"),
            settlements=empty("settlements"),
            institutions=empty("institutions"),
            persons=empty("persons"),
        )

        assert result.collect().is_empty()


def four_lines_each(code: str, yuan: int) -> tuple[list[dict], list[dict]]:
    """Ten visits at `code`, each four lines of `yuan`: dearer and more items at once."""
    rows, lines = visits(code, 4 * yuan)
    extra = [{**line, "pric": yuan * 100} for line in lines for _ in range(4)]
    return rows, extra


class TestTwoFeatures:
    """By default a finding needs two features beyond the z floor (growth not counted)."""

    def test_one_feature_off_is_not_enough_by_default(self):
        assert found(visits("HX", 300), min_features=2) == []

    def test_dearer_visits_with_more_items_are_flagged_by_default(self):
        [finding] = found(four_lines_each("HX", 100), min_features=2)

        evidence = json.loads(finding["evidence"])
        assert {"cost_per_visit", "items_per_visit"} <= {f["feature"] for f in evidence["features"]}
        assert evidence["min_features"] == 2

    def test_growth_alone_never_makes_a_finding(self):
        before, _ = visits("HX", 100, setl_time="2025-02-10 10:00", tag="feb")
        march, lines = visits("HX", 100, count=40)
        peers_february = [
            row
            for code in PEERS
            for row in visits(code, 100, setl_time="2025-02-10 10:00", tag="feb")[0]
        ]

        assert found((before + march + peers_february, lines), min_features=1) == []
