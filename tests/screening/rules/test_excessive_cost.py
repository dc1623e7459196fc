import json

import pytest

from screening.rules import excessive_cost
from tests.screening.frames import institutions, settlements

INSTITUTIONS = institutions(
    [
        {"fixmedins_code": "H1", "hosp_lv": "05"},  # level 2
        {"fixmedins_code": "H2", "hosp_lv": "06"},  # level 2
        {"fixmedins_code": "H3", "hosp_lv": "02"},  # level 3
    ]
)


def peers(count: int, **changes) -> list[dict]:
    return [
        {"setl_id": f"S{number:03d}", "medfee_sumamt": 10_000, "dise_codg": "J06.900", **changes}
        for number in range(count)
    ]


def found(rows: list[dict], **thresholds) -> list[dict]:
    frame = settlements(rows)
    result = excessive_cost.find(settlements=frame, institutions=INSTITUTIONS, **thresholds)
    return result.collect().to_dicts()


def outlier(**changes) -> dict:
    return {
        "setl_id": "SX",
        "medfee_sumamt": 100_000,
        "dise_codg": "J06.100",
        "fixmedins_code": "H2",
        "endtime": "2025-03-10 10:00",
        **changes,
    }


class TestFind:
    def test_flags_a_cost_far_above_thirty_peers(self):
        [finding] = found([*peers(29), outlier()])

        # Linear p99 of 29 × 100 yuan and one 1000 yuan: 100 + 0.71 × 900 = 739 yuan.
        assert finding["setl_id"] == "SX"
        assert finding["subject_key"] == "SX"
        assert finding["fixmedins_code"] == "H2"
        assert finding["amount_at_risk"] == 26_100
        assert finding["sev_deg"] == 3
        assert str(finding["event_time"]) == "2025-03-10 10:00:00"
        assert json.loads(finding["evidence"]) == {
            "hosp_level": 2,
            "med_type": "11",
            "category": "J06",
            "peers": 30,
            "medfee_sumamt_yuan": 1000.0,
            "percentile": 99.0,
            "cost_limit_yuan": 739.0,
            "median_yuan": 100.0,
            "ratio_to_median": 10.0,
            "min_ratio_to_median": 3.0,
        }

    def test_flags_a_cost_exactly_three_times_the_median(self):
        assert len(found([*peers(29), outlier(medfee_sumamt=30_000)])) == 1

    def test_ignores_a_cost_just_under_three_times_the_median(self):
        assert found([*peers(29), outlier(medfee_sumamt=29_999)]) == []

    def test_ignores_the_natural_top_of_a_clean_group(self):
        spread = [
            {"setl_id": f"S{cost}", "medfee_sumamt": cost * 100, "dise_codg": "J06.900"}
            for cost in range(100, 300)
        ]

        assert found(spread) == []

    @pytest.mark.parametrize(
        ("peer_changes", "outlier_changes"),
        [
            ({}, {"med_type": "13"}),  # another med_type
            ({}, {"dise_codg": "J07.000"}),  # another category
            ({}, {"fixmedins_code": "H3"}),  # another hospital level
            ({}, {"refd_setl_flag": True}),  # a reversal
            ({"fixmedins_code": "H9"}, {}),  # peers at an unknown institution: no level
        ],
    )
    def test_needs_thirty_peers_of_the_same_group(self, peer_changes, outlier_changes):
        assert found([*peers(29, **peer_changes), outlier(**outlier_changes)]) == []

    def test_groups_institutions_without_a_level_together(self):
        rows = [*peers(29, fixmedins_code="H9"), outlier(fixmedins_code="H8")]

        [finding] = found(rows)

        assert json.loads(finding["evidence"])["hosp_level"] is None

    def test_ignores_settlements_without_a_diagnosis(self):
        assert found([*peers(29, dise_codg=None), outlier(dise_codg=None)]) == []

    def test_thresholds_change_the_outcome(self):
        small_group = [*peers(19), outlier()]

        assert found(small_group) == []
        assert len(found(small_group, min_peers=20)) == 1
        assert found([*peers(29), outlier()], min_ratio_to_median=11.0) == []

    def test_finds_nothing_in_empty_frames(self):
        assert found([]) == []
