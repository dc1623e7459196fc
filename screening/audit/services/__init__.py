"""Writes of the audit app; each checks the user's role and area, and records what it did."""

from screening.audit.services.attachments import attachment_check, attachment_store
from screening.audit.services.bedchecks import bed_check_issue, bed_check_record
from screening.audit.services.cases import (
    case_appeal,
    case_appeal_resolve,
    case_assign,
    case_attach,
    case_comment,
    case_flags_add,
    case_open,
    case_propose,
    case_step_add,
    case_transition,
)
from screening.audit.services.common import AuditError, NotVisible
from screening.audit.services.flags import flags_assign, flags_dismiss
from screening.audit.services.outcomes import outcome_mark_paid, outcome_record
from screening.audit.services.reports import report_reward_set, report_submit

__all__ = [
    "AuditError",
    "NotVisible",
    "attachment_check",
    "attachment_store",
    "bed_check_issue",
    "bed_check_record",
    "case_appeal",
    "case_appeal_resolve",
    "case_assign",
    "case_attach",
    "case_comment",
    "case_flags_add",
    "case_open",
    "case_propose",
    "case_step_add",
    "case_transition",
    "flags_assign",
    "flags_dismiss",
    "outcome_mark_paid",
    "outcome_record",
    "report_reward_set",
    "report_submit",
]
