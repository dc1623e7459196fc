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
    "gap_days": _("Days since the earlier discharge"),
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
        return "；".join(str(REASON_WORDS.get(item, _words(item))) for item in value) or "-"
    if isinstance(value, dict):
        return "，".join(f"{EVIDENCE_LABELS.get(k, k)} {_words(v)}" for k, v in value.items())
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
