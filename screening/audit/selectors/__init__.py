"""Reads of the audit app, scoped to what the asking user may see."""

from screening.audit.selectors.cases import (
    bed_check_tasks_for_institution,
    bed_check_tasks_visible_to,
    case_visible_to,
    cases_visible_to,
    overdue_cases,
)
from screening.audit.selectors.flags import (
    flag_visible_to,
    flags_for_institution,
    flags_visible_to,
    rule_confirmed_precision,
)

__all__ = [
    "bed_check_tasks_for_institution",
    "bed_check_tasks_visible_to",
    "case_visible_to",
    "cases_visible_to",
    "flag_visible_to",
    "flags_for_institution",
    "flags_visible_to",
    "overdue_cases",
    "rule_confirmed_precision",
]
