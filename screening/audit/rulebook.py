"""Rule names and evidence in words, for the pages auditors read."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from screening.rules import ALL_RULES

RULES = {module.RULE.code: module.RULE for module in ALL_RULES}
SEVERITY = {1: _("Definite violation"), 2: _("Highly suspicious"), 3: _("Suspicious")}

# Evidence keys the rules write (national names where they have one), in words.
EVIDENCE_LABELS = {
    "med_list_codg": _("Item code"),
    "fee_ocur_time": _("Charged at"),
    "pric_yuan": _("Unit price (yuan)"),
    "pric_uplmt_amt_yuan": _("Price cap (yuan)"),
    "cnt": _("Quantity"),
    "over_per_unit_yuan": _("Over the cap per unit (yuan)"),
    "tolerance_yuan": _("Tolerance (yuan)"),
    "category": _("ICD-10 category"),
    "dise_codg": _("Main diagnosis"),
    "gap_days": _("Days between"),
    "max_gap_days": _("Limit (days)"),
    "admitted_at": _("Admitted at"),
    "discharged_at": _("Discharged at"),
    "previous_setl_id": _("Earlier admission (settlement)"),
    "previous_dise_codg": _("Earlier main diagnosis"),
    "previous_admitted_at": _("Earlier admission at"),
    "previous_discharged_at": _("Earlier discharge at"),
    "same_moment_as": _("Same moment as fee line"),
    "same_moment_time": _("That line was charged at"),
    "max_daily_cnt": _("Most units per day"),
    "day_units": _("Units that day"),
    "fee_day": _("Day"),
    "reasons": _("Why"),
    "elsewhere": _("Seen elsewhere during the stay"),
    "absent_checks": _("Bed checks that found the patient absent"),
    "idle_days": _("Days with only bed and nursing charges"),
    "min_idle_days": _("Limit (days)"),
    "bed_nursing_yuan": _("Bed and nursing charges (yuan)"),
    "begntime": _("Began at"),
    "check_id": _("Bed check"),
    "checked_at": _("Checked at"),
    "diag_code": _("Diagnosis code"),
    "feature": _("Feature"),
    "fixmedins_code": _("Institution"),
    "med_type": _("Medical type"),
    "peer_median": _("Peer median"),
    "range": _("Code range"),
    "reason": _("Reason"),
    "setl_id": _("Settlement"),
    "value": _("Value"),
    "z": _("Robust z-score"),
    "admissions": _("Admissions"),
    "age": _("Age"),
    "beyond_limit_yuan": _("Beyond the limit (yuan)"),
    "branch": _("Which test"),
    "broken": _("Broken limit"),
    "bundle_codg": _("Bundled item"),
    "bundle_feedetl_sn": _("Bundled item's fee line"),
    "bundle_time": _("Bundled item charged at"),
    "cheap_and_minor": _("Cheap and outpatient-manageable"),
    "cost_limit_yuan": _("Cost limit (yuan)"),
    "cost_per_stay_yuan": _("Cost per stay (yuan)"),
    "cost_per_visit_yuan": _("Cost per visit (yuan)"),
    "cost_percentile": _("Cost percentile"),
    "days_outside": _("Days outside the stay"),
    "department": _("Department"),
    "diagnoses": _("Diagnoses"),
    "encounters": _("Encounters"),
    "exam_amount_yuan": _("Examinations and labs (yuan)"),
    "exam_share": _("Share of examinations and labs"),
    "excess_cost_yuan": _("Excess cost (yuan)"),
    "excess_days": _("Days over the limit"),
    "features": _("Features"),
    "fee_amount_yuan": _("Fee amount (yuan)"),
    "gend": _("Gender"),
    "grace_days": _("Grace days"),
    "hosp_level": _("Hospital level"),
    "idle_from": _("Idle from"),
    "idle_to": _("Idle to"),
    "limit": _("Limit"),
    "lmt_dise_prefixes": _("Indicated diagnoses"),
    "lmt_gend": _("Gender limit"),
    "lmt_inpatient_only": _("Inpatient only"),
    "lmt_max_age": _("Maximum age"),
    "lmt_min_age": _("Minimum age"),
    "lmt_min_hosp_lv": _("Lowest hospital level"),
    "max_pay_days": _("Most paid days per course"),
    "max_supply_days": _("Most supply days"),
    "max_window_supply_days": _("Most supply days in the window"),
    "mdtrt_id": _("Encounter"),
    "medfee_sumamt_yuan": _("Total cost (yuan)"),
    "median_yuan": _("Peer median (yuan)"),
    "min_exam_share": _("Examination share limit"),
    "min_features": _("Features needed"),
    "min_overlap_hours": _("Overlap limit (hours)"),
    "min_ratio_to_median": _("Ratio to median limit"),
    "model_rank": _("Model rank"),
    "model_score": _("Model score"),
    "model_top": _("Model's top share"),
    "month": _("Month"),
    "mostly_exams": _("Mostly examinations"),
    "offending": _("Offending diagnoses"),
    "other_admitted_at": _("Other stay admitted at"),
    "other_discharged_at": _("Other stay discharged at"),
    "other_fixmedins_code": _("Other stay's institution"),
    "other_setl_id": _("Other stay (settlement)"),
    "outpatient_manageable": _("Outpatient-manageable diagnosis"),
    "overlap_hours": _("Overlap (hours)"),
    "overlapping_stays": _("Overlapping stays"),
    "pay_day_no": _("Paid day of the course"),
    "peer_median_cost_per_stay_yuan": _("Peer median cost per stay (yuan)"),
    "peer_median_cost_per_visit_yuan": _("Peer median cost per visit (yuan)"),
    "peers": _("Peers"),
    "percentile": _("Percentile"),
    "prd_days": _("Days of supply"),
    "previous_feedetl_sn": _("Earlier fee line"),
    "previous_fixmedins_code": _("Earlier institution"),
    "previous_time": _("Earlier charge at"),
    "ratio_to_median": _("Ratio to the median"),
    "same_moment_seconds": _("Same moment within (seconds)"),
    "side": _("Which side"),
    "stay_days": _("Stay days"),
    "supply_limit": _("Supply limit (days)"),
    "visits": _("Visits"),
    "visits_in_window": _("Visits in the window"),
    "window_days": _("Window (days)"),
    "window_from": _("Window from"),
    "window_supply_days": _("Supply days in the window"),
    "window_to": _("Window to"),
    "z_floor": _("z-score floor"),
    "z_threshold": _("z-score threshold"),
}
REASON_WORDS = {
    "same_moment": _("charged twice at the same moment"),
    "daily_limit": _("more units in a day than allowed"),
    "elsewhere": _("the patient was treated elsewhere during the stay"),
    "absent_check": _("a bed check found the patient absent"),
    "idle_days": _("days with only bed and nursing charges"),
}


# One sentence per rule that says what broke, from the evidence (missing facts: no sentence).
HEADLINES = {
    "OVER_PRICE": _(
        "Charged %(pric_yuan)s yuan a unit against a cap of %(pric_uplmt_amt_yuan)s yuan, "
        "%(cnt)s units."
    ),
    "SPLIT_ADMISSION": _(
        "Readmitted %(gap_days)s days after the discharge of settlement %(previous_setl_id)s "
        "(limit %(max_gap_days)s days), same diagnosis category %(category)s."
    ),
    "DUP_CHARGE": _(
        "%(day_units)s units of %(med_list_codg)s on %(fee_day)s; at most %(max_daily_cnt)s a day."
    ),
    "BED_BLOCKING": _("Admitted %(admitted_at)s, discharged %(discharged_at)s: %(reasons)s."),
}


def headline(rule_code: str, evidence: Any) -> str:
    """The rule's sentence filled from the evidence, or "" when a fact it needs is missing."""
    template = HEADLINES.get(rule_code)
    if template is None or not isinstance(evidence, dict):
        return ""
    values = {key: _words(value) for key, value in evidence.items()}
    try:
        return str(template) % values
    except (KeyError, TypeError, ValueError):
        return ""


def rule_name(code: str) -> str:
    rule = RULES.get(code)
    if rule is None:
        return code
    return rule.name_zh if (get_language() or "zh").startswith("zh") else rule.name_en


def rule_choices() -> list[tuple[str, str]]:
    return [(code, f"{code} {rule_name(code)}") for code in RULES]


def _words(value: Any) -> str:
    if isinstance(value, list):
        words = (
            str(REASON_WORDS[item])
            if isinstance(item, str) and item in REASON_WORDS
            else _words(item)
            for item in value
        )
        return "；".join(words) or "-"
    if isinstance(value, dict):
        return "，".join(f"{EVIDENCE_LABELS.get(k, k)} {_words(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return "-" if value is None or value == "" else str(value)


def evidence_facts(evidence: Any) -> list[tuple[str, str]]:
    """The evidence as (label, value in words) pairs, known keys first, empty ones left out."""
    if isinstance(evidence, str):
        try:
            evidence = json.loads(evidence)
        except ValueError:
            return [(str(_("Evidence")), evidence)]
    if not isinstance(evidence, dict):
        return []
    known = [key for key in EVIDENCE_LABELS if key in evidence]
    others = [key for key in evidence if key not in EVIDENCE_LABELS]
    return [
        (str(EVIDENCE_LABELS.get(key, key)), _words(evidence[key]))
        for key in known + others
        if evidence[key] not in (None, "", [])
    ]
