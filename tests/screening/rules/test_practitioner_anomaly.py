import json
from datetime import datetime

import pytest

from screening.frames import empty
from screening.rules import practitioner_anomaly
from tests.screening.frames import (
    fee_lines,
    institutions,
    persons,
    practitioners,
    settlements,
)

PEERS = [f"D{number}" for number in range(1, 9)]  # eight internists at H1
INSTITUTIONS = institutions(
    [{"fixmedins_code": "H1", "hosp_lv": "02"}, {"fixmedins_code": "H2", "hosp_lv": "05"}]
)
REGISTRY = practitioners([{"dr_code": code} for code in [*PEERS, "DX"]])


def orders(
    dr_code: str, yuan: int, count: int = 10, tag: str = "", **line
) -> tuple[list[dict], list[dict]]:
    """`count` visits at which `dr_code` ordered one line of `yuan`."""
    rows, lines = [], []
    for number in range(count):
        setl_id = f"S-{dr_code}-{tag}{number}"
        code = line.get("fixmedins_code", "H1")
        rows.append({"setl_id": setl_id, "fixmedins_code": code, "medfee_sumamt": yuan * 100})
        lines.append({"setl_id": setl_id, "bilg_dr_codg": dr_code, "pric": yuan * 100, **line})
    return rows, lines


def found(outlier: tuple[list[dict], list[dict]], **options) -> list[dict]:
    """Findings among eight clean peers; one feature off is enough here unless a test asks
    for the default (two: see TestTwoFeatures)."""
    options.setdefault("min_features", 1)
    rows, lines = [], []
    for code in PEERS:
        peer_rows, peer_lines = orders(code, 100)
        rows += peer_rows
        lines += peer_lines
    frames = {
        "fee_lines": fee_lines(lines + outlier[1]),
        "settlements": settlements(rows + outlier[0]),
        "institutions": INSTITUTIONS,
        "practitioners": REGISTRY,
        "persons": persons([{"psn_no": "P1"}]),
        **options.pop("frames", {}),
    }
    return practitioner_anomaly.find(**frames, **options).collect().to_dicts()


class TestFind:
    def test_flags_a_practitioner_ordering_three_times_their_peers(self):
        [finding] = found(orders("DX", 300))

        assert finding["subject_key"] == "DX|2025-03"
        assert (finding["dr_code"], finding["fixmedins_code"]) == ("DX", "H1")
        assert (finding["setl_id"], finding["psn_no"]) == (None, None)
        assert finding["event_time"] == datetime(2025, 3, 1)
        assert finding["sev_deg"] == 3
        assert finding["amount_at_risk"] == 200_000

    def test_explains_the_finding(self):
        [finding] = found(orders("DX", 300))

        evidence = json.loads(finding["evidence"])
        assert (evidence["department"], evidence["hosp_level"]) == ("A03", 3)
        assert evidence["month"] == "2025-03"
        assert evidence["cost_per_visit_yuan"] == 300.0
        assert evidence["peer_median_cost_per_visit_yuan"] == 100.0
        assert [feature["feature"] for feature in evidence["features"]] == ["cost_per_visit"]
        assert evidence["features"][0]["peers"] == 9

    def test_compares_with_the_whole_department_when_the_level_has_too_few(self):
        registry = practitioners(
            [*({"dr_code": code} for code in PEERS), {"dr_code": "DX", "fixmedins_code": "H2"}]
        )

        [finding] = found(orders("DX", 300), frames={"practitioners": registry})

        assert finding["fixmedins_code"] == "H2"  # the registry says where DX practises
        evidence = json.loads(finding["evidence"])
        assert evidence["hosp_level"] == 2
        assert evidence["features"][0]["peers"] == 9  # all internists, levels 2 and 3

    @pytest.mark.parametrize(
        ("outlier", "frames"),
        [
            (orders("DX", 104), {}),  # within 5 %
            (orders("DX", 300, count=9), {}),  # too few visits
            (orders("DX", 300, fee_ocur_time="2025-04-01 00:00"), {}),  # April: alone
            (
                orders("DX", 300),
                {"practitioners": practitioners([{"dr_code": "DX", "dept_codg": "A04"}])},
            ),
            (orders("D1", 100, tag="more"), {}),  # ten more ordinary visits of a peer
        ],
        ids=["within-5%", "small", "april", "other-dept", "ordinary"],
    )
    def test_ignores_near_misses(self, outlier, frames):
        assert found(outlier, frames=frames) == []

    def test_ignores_lines_of_reversed_settlements(self):
        rows, lines = orders("DX", 300)

        assert found(([{**row, "refd_setl_flag": True} for row in rows], lines)) == []

    @pytest.mark.parametrize(
        ("options", "flagged"),
        [
            ({"z_threshold": 8.0, "model_top_share": 0.0}, False),
            ({"min_peers": 10}, False),
            ({"min_encounters": 11}, False),
        ],
    )
    def test_follows_its_thresholds(self, options, flagged):
        assert bool(found(orders("DX", 300), **options)) is flagged

    def test_works_without_the_registry_or_persons(self):
        frames = {"practitioners": empty("practitioners"), "persons": empty("persons")}

        [finding] = found(orders("DX", 300), frames=frames)

        assert json.loads(finding["evidence"])["department"] == "A03"  # from the lines
