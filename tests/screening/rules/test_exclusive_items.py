import json

import pytest

from screening.rules import exclusive_items
from tests.screening.frames import catalog, fee_lines

BUNDLE = "003101000010000"
PART = "003101000020000"
OTHER_PART = "003101000030000"
CATALOG = [
    {"med_list_codg": BUNDLE, "includes_codes": f"{PART}|{OTHER_PART}"},
    {"med_list_codg": PART},
    {"med_list_codg": OTHER_PART},
]


def found(*rows: dict, **thresholds) -> list[dict]:
    result = exclusive_items.find(
        fee_lines=fee_lines(list(rows)), catalog=catalog(CATALOG), **thresholds
    )
    return result.collect().sort("feedetl_sn").to_dicts()


BUNDLE_LINE = {"med_list_codg": BUNDLE, "pric": 50_000}


class TestFind:
    def test_flags_the_component_charged_with_its_bundle(self):
        part = {"med_list_codg": PART, "pric": 8_000, "fee_ocur_time": "2025-03-11 10:00"}

        [finding] = found(BUNDLE_LINE, part)

        assert finding["feedetl_sn"] == "F2"
        assert finding["sev_deg"] == 1
        assert finding["amount_at_risk"] == 8_000
        assert json.loads(finding["evidence"]) == {
            "mdtrt_id": "M1",
            "med_list_codg": PART,
            "bundle_codg": BUNDLE,
            "bundle_feedetl_sn": "F1",
            "fee_ocur_time": "2025-03-11 10:00:00",
            "bundle_time": "2025-03-10 09:00:00",
        }

    def test_flags_every_included_component(self):
        rows = [BUNDLE_LINE, {"med_list_codg": PART}, {"med_list_codg": OTHER_PART}]

        assert [f["feedetl_sn"] for f in found(*rows)] == ["F2", "F3"]

    @pytest.mark.parametrize(
        "part",
        [
            {"med_list_codg": PART, "setl_id": "S2"},  # another encounter
            {"med_list_codg": PART, "cnt": -1.0},  # a refund line
            {"med_list_codg": "001102000010000"},  # not a component
        ],
    )
    def test_ignores_near_misses(self, part):
        assert found(BUNDLE_LINE, part) == []

    def test_a_refunded_bundle_excuses_the_component(self):
        refund = {**BUNDLE_LINE, "cnt": -1.0, "fee_ocur_time": "2025-03-10 10:00"}

        assert found(BUNDLE_LINE, refund, {"med_list_codg": PART}) == []

    def test_two_bundles_make_one_finding_per_component(self):
        rows = [
            BUNDLE_LINE,
            {**BUNDLE_LINE, "fee_ocur_time": "2025-03-10 11:00"},
            {"med_list_codg": PART},
        ]

        [finding] = found(*rows)
        assert json.loads(finding["evidence"])["bundle_feedetl_sn"] == "F1"

    def test_same_day_only_spares_components_of_other_days(self):
        part = {"med_list_codg": PART, "fee_ocur_time": "2025-03-11 10:00"}

        assert len(found(BUNDLE_LINE, part)) == 1
        assert found(BUNDLE_LINE, part, same_day_only=1) == []
        assert len(found(BUNDLE_LINE, {"med_list_codg": PART}, same_day_only=1)) == 1
