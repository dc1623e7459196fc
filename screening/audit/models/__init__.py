"""The audit app's models, one module per part of the work."""

from screening.audit.models.cases import (
    STATE_DEADLINE_DAYS,
    TRANSITION_LABELS,
    Case,
    CaseFlag,
    CaseState,
    CaseTransition,
    DismissalReason,
)
from screening.audit.models.flags import Dismissal, FlagAssignment, FlagEvent
from screening.audit.models.reports import WhistleblowerReport
from screening.audit.models.work import (
    Appeal,
    Attachment,
    BedCheckTask,
    Comment,
    InvestigationStep,
    Outcome,
)

__all__ = [
    "STATE_DEADLINE_DAYS",
    "TRANSITION_LABELS",
    "Appeal",
    "Attachment",
    "BedCheckTask",
    "Case",
    "CaseFlag",
    "CaseState",
    "CaseTransition",
    "Comment",
    "Dismissal",
    "DismissalReason",
    "FlagAssignment",
    "FlagEvent",
    "InvestigationStep",
    "Outcome",
    "WhistleblowerReport",
]
