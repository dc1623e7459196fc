import json

import pytest

from screening.rules import over_scope_drug
from tests.screening.frames import (
    catalog,
    diagnoses,
    fee_lines,
    institutions,
    persons,
    settlements,
)

DRUG = "XA10BAA000A001010101000"


def found(
    limits: dict,
    *lines: dict,
    person: dict | None = None,
    encounter: dict | None = None,
    extra_diagnoses: list[dict] | None = None,
    institution: dict | None = None,
    **thresholds,
) -> list[dict]:
    frames = {
        "catalog": catalog([{"med_list_codg": DRUG, "list_type": "101", **limits}]),
        "fee_lines": fee_lines(
            [{"med_list_codg": DRUG, "med_chrgitm_type": "09", **line} for line in lines or [{}]]
        ),
        "persons": persons([person or {}]),
        "settlements": settlements([encounter or {"dise_codg": "E11.900"}]),
        "diagnoses": diagnoses(extra_diagnoses or []),
        "institutions": institutions([institution or {}]),
    }
    result = over_scope_drug.find(**frames, **thresholds)
    return result.collect().sort("feedetl_sn").to_dicts()


def broken(finding: dict) -> list[str]:
    return json.loads(finding["evidence"])["broken"]


class TestGender:
    def test_flags_a_female_only_item_for_a_man(self):
        [finding] = found({"lmt_gend": "2"}, {"pric": 4_200})

        assert broken(finding) == ["gender"]
        assert finding["sev_deg"] == 1
        assert finding["amount_at_risk"] == 4_200
        evidence = json.loads(finding["evidence"])
        assert evidence["lmt_gend"] == "2"
        assert evidence["gend"] == "1"

    @pytest.mark.parametrize("gend", ["2", "9"])
    def test_ignores_a_woman_or_an_unstated_gender(self, gend):
        assert found({"lmt_gend": "2"}, person={"gend": gend}) == []


class TestAge:
    def test_flags_the_day_before_the_minimum_age_birthday(self):
        [finding] = found(
            {"lmt_min_age": 18},
            {"fee_ocur_time": "2025-03-09 23:59"},
            person={"brdy": "2007-03-10"},
        )

        assert broken(finding) == ["age"]
        assert json.loads(finding["evidence"])["age"] == 17

    def test_the_birthday_itself_counts(self):
        assert found({"lmt_min_age": 18}, person={"brdy": "2007-03-10"}) == []

    def test_max_age_is_inclusive(self):
        assert found({"lmt_max_age": 45}, person={"brdy": "1980-01-01"}) == []
        assert len(found({"lmt_max_age": 44}, person={"brdy": "1980-01-01"})) == 1

    def test_a_december_birthday_is_reached_on_the_day(self):
        person = {"brdy": "1980-12-31"}
        limits = {"lmt_max_age": 44}

        assert found(limits, {"fee_ocur_time": "2025-12-30 23:59"}, person=person) == []
        assert len(found(limits, {"fee_ocur_time": "2025-12-31 00:00"}, person=person)) == 1

    def test_unknown_person_is_not_judged(self):
        assert found({"lmt_min_age": 18}, {"psn_no": "P9"}) == []


class TestIndication:
    def test_flags_no_matching_diagnosis_as_suspicious(self):
        [finding] = found({"lmt_dise_prefixes": "E10|E11"}, encounter={"dise_codg": "I10.x00"})

        assert broken(finding) == ["indication"]
        assert finding["sev_deg"] == 3
        assert json.loads(finding["evidence"])["diagnoses"] == ["I10.x00"]

    def test_matches_a_secondary_diagnosis_without_the_dot(self):
        limits = {"lmt_dise_prefixes": "E11.9"}
        secondary = [{"mdtrt_id": "M1", "diag_code": "e11.900"}]

        assert found(limits, encounter={"dise_codg": "I10.x00"}, extra_diagnoses=secondary) == []

    def test_an_encounter_without_diagnoses_is_not_judged(self):
        assert found({"lmt_dise_prefixes": "E11"}, encounter={"dise_codg": None}) == []

    def test_check_indication_off_skips_the_limit(self):
        limits = {"lmt_dise_prefixes": "E10"}

        assert found(limits, check_indication=0) == []


class TestSettingLimits:
    def test_flags_inpatient_only_in_outpatient_care(self):
        [finding] = found({"lmt_inpatient_only": True})

        assert broken(finding) == ["inpatient_only"]

    def test_inpatient_only_accepts_a_stay(self):
        assert found({"lmt_inpatient_only": True}, encounter={"med_type": "21"}) == []

    @pytest.mark.parametrize("hosp_lv", ["05", "11"])  # level 2; ungraded counts as below
    def test_flags_an_institution_below_the_minimum_level(self, hosp_lv):
        [finding] = found({"lmt_min_hosp_lv": 3}, institution={"hosp_lv": hosp_lv})

        assert broken(finding) == ["hosp_level"]

    def test_accepts_the_minimum_level_itself(self):
        assert found({"lmt_min_hosp_lv": 3}, institution={"hosp_lv": "02"}) == []

    def test_flags_days_beyond_max_pay_days_within_the_encounter(self):
        days = [{"fee_ocur_time": f"2025-03-0{day} 09:00"} for day in (1, 1, 2, 3, 4)]

        findings = found({"max_pay_days": 3}, *days, encounter={"med_type": "21"})

        assert [f["feedetl_sn"] for f in findings] == ["F5"]
        evidence = json.loads(findings[0]["evidence"])
        assert (evidence["pay_day_no"], evidence["max_pay_days"]) == (4, 3)


class TestCombined:
    def test_evidence_lists_every_broken_limit_and_severity_is_definite(self):
        limits = {"lmt_gend": "2", "lmt_dise_prefixes": "O"}

        [finding] = found(limits)

        assert broken(finding) == ["gender", "indication"]
        assert finding["sev_deg"] == 1

    def test_a_refund_line_is_never_found(self):
        assert found({"lmt_gend": "2"}, {"cnt": -1.0}) == []

    def test_an_item_without_limits_is_never_found(self):
        assert found({}) == []


class TestApplies:
    """What the pre-check asks before running the rule: yes wherever find finds."""

    def applies(self, limits: dict, *lines: dict) -> bool:
        frames = {
            "catalog": catalog([{"med_list_codg": DRUG, "list_type": "101", **limits}]),
            "fee_lines": fee_lines([{"med_list_codg": DRUG, **line} for line in lines or [{}]]),
        }
        return over_scope_drug.applies({name: frame.collect() for name, frame in frames.items()})

    @pytest.mark.parametrize("limits", [{"lmt_gend": "2"}, {"lmt_inpatient_only": True}])
    def test_yes_to_a_charged_item_with_a_limit(self, limits):
        assert found(limits)
        assert self.applies(limits, {"cnt": -1.0}, {"cnt": 1.0})

    @pytest.mark.parametrize(
        ("limits", "line"),
        [
            ({}, {}),  # no limit
            ({"lmt_inpatient_only": False}, {}),  # a False is no limit
            ({"lmt_gend": "2"}, {"cnt": -1.0}),  # only refunded
            ({"lmt_gend": "2"}, {"med_list_codg": "OTHER"}),  # another item charged
        ],
    )
    def test_no_where_no_charged_item_has_one(self, limits, line):
        assert not self.applies(limits, line)
