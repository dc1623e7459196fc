"""Audit cases: a state machine over the flags it gathers, with its recorded history."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, transition

from medins.models import Institution
from screening.audit import roles


class DismissalReason(models.TextChoices):
    FALSE_POSITIVE = "false_positive", _("False positive")
    POLICY_EXCEPTION = "policy_exception", _("Policy exception")
    DATA_ERROR = "data_error", _("Data error")


class CaseState(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    INVESTIGATING = "investigating", _("Under investigation")
    REVIEW = "review", _("Awaiting review")
    APPEALED = "appealed", _("Appealed")
    DECIDED = "decided", _("Decided")
    NOT_ACTIONABLE = "not_actionable", _("No action")
    CLOSED = "closed", _("Closed")


# What each transition is called on the page and in the history.
TRANSITION_LABELS = {
    "open": _("Open the case"),
    "assign": _("Assign"),
    "start": _("Start the investigation"),
    "propose": _("Propose a decision"),
    "send_back": _("Send back"),
    "approve": _("Approve the decision"),
    "appeal": _("Appeal"),
    "resolve_appeal": _("Resolve the appeal"),
    "close": _("Close the case"),
}

# Days a case may stay in a state before it is overdue (a closed case has no deadline).
STATE_DEADLINE_DAYS = {
    CaseState.NEW: 3,
    CaseState.ASSIGNED: 5,
    CaseState.INVESTIGATING: 30,
    CaseState.REVIEW: 10,
    CaseState.APPEALED: 15,
    CaseState.DECIDED: 60,
    CaseState.NOT_ACTIONABLE: 7,
}


def _is_assignee(case: Case, user: object) -> bool:
    return roles.is_approver(user) or (roles.is_audit_user(user) and case.assignee_id == user.pk)


def _may_appeal(case: Case, user: object) -> bool:
    return roles.is_audit_user(user) or roles.is_hospital_of(user, case.institution_id or "")


class Case(models.Model):
    """One case about an institution, a person or a practitioner, from flags or a report."""

    class Subject(models.TextChoices):
        INSTITUTION = "institution", _("Institution")
        PERSON = "person", _("Person")
        PRACTITIONER = "practitioner", _("Practitioner")

    class Source(models.TextChoices):
        SCREENING = "screening", _("Screening")
        REPORT = "report", _("Whistleblower report")

    class Proposal(models.TextChoices):
        CONFIRM = "confirm", _("Confirm the findings")
        NO_ACTION = "no_action", _("No action")

    title = models.CharField(_("title"), max_length=200)
    subject_kind = models.CharField(_("about"), max_length=12, choices=Subject.choices)
    subject_code = models.CharField(_("subject code"), max_length=30)
    institution = models.ForeignKey(
        Institution, models.PROTECT, null=True, blank=True, verbose_name=_("institution")
    )
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.SCREENING
    )
    state = FSMField(_("state"), default=CaseState.NEW, choices=CaseState.choices)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_cases",
        verbose_name=_("assigned auditor"),
    )
    proposal = models.CharField(
        _("proposed decision"), max_length=10, choices=Proposal.choices, blank=True
    )
    proposal_reason = models.CharField(
        _("reason for no action"), max_length=20, choices=DismissalReason.choices, blank=True
    )
    proposal_note = models.TextField(_("proposal note"), blank=True)
    amount_at_risk = models.DecimalField(
        _("amount at risk"), max_digits=14, decimal_places=2, default=0
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    created_at = models.DateTimeField(_("opened at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit case")
        verbose_name_plural = _("audit cases")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "deadline"], name="case_state_deadline")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def deadline_from(self, at: object) -> None:
        days = STATE_DEADLINE_DAYS.get(self.state)
        self.deadline = at + timedelta(days=days) if days is not None else None

    # Transitions: the service layer calls them, records them and saves (services/cases.py).

    @transition(
        field=state,
        source=CaseState.NEW,
        target=CaseState.ASSIGNED,
        permission=lambda case, user: roles.is_audit_user(user),
    )
    def assign(self) -> None:
        """新建 → 已分派 (an auditor may take a case; a supervisor assigns anyone)."""

    @transition(
        field=state,
        source=CaseState.ASSIGNED,
        target=CaseState.INVESTIGATING,
        permission=_is_assignee,
    )
    def start(self) -> None:
        """已分派 → 调查中, by the assigned auditor."""

    @transition(
        field=state,
        source=CaseState.INVESTIGATING,
        target=CaseState.REVIEW,
        permission=_is_assignee,
    )
    def propose(self) -> None:
        """调查中 → 待复核 with a proposed decision."""

    @transition(
        field=state,
        source=CaseState.REVIEW,
        target=CaseState.INVESTIGATING,
        permission=lambda case, user: roles.is_approver(user),
    )
    def send_back(self) -> None:
        """待复核 → 调查中: the supervisor returns the proposal."""

    @transition(
        field=state,
        source=CaseState.REVIEW,
        target=RETURN_VALUE(CaseState.DECIDED, CaseState.NOT_ACTIONABLE),
        permission=lambda case, user: roles.is_approver(user),
        conditions=[lambda case: bool(case.proposal)],
    )
    def approve(self) -> str:
        """待复核 → 已处理 or 不予处理, as the approved proposal says."""
        if self.proposal == self.Proposal.CONFIRM:
            return CaseState.DECIDED
        return CaseState.NOT_ACTIONABLE

    @transition(
        field=state,
        source=[CaseState.INVESTIGATING, CaseState.REVIEW],
        target=CaseState.APPEALED,
        permission=_may_appeal,
    )
    def appeal(self) -> None:
        """申诉: the institution contests the findings before a decision."""

    @transition(
        field=state,
        source=CaseState.APPEALED,
        target=CaseState.INVESTIGATING,
        permission=_is_assignee,
    )
    def resolve_appeal(self) -> None:
        """申诉 heard: back to 调查中 with the appeal on the record."""

    @transition(
        field=state,
        source=[CaseState.DECIDED, CaseState.NOT_ACTIONABLE],
        target=CaseState.CLOSED,
        permission=_is_assignee,
        conditions=[lambda case: case.state != CaseState.DECIDED or case.outcomes.exists()],
    )
    def close(self) -> None:
        """已结案: a decided case needs at least one outcome first."""


class CaseFlag(models.Model):
    """A flag gathered into a case; a flag belongs to at most one case."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="case_flags")
    flag = models.OneToOneField(
        "screening.Flag", models.CASCADE, related_name="case_link", verbose_name=_("flag")
    )
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("flag of a case")
        verbose_name_plural = _("flags of cases")

    def __str__(self) -> str:
        return f"{self.case_id} ← {self.flag_id}"


class CaseTransition(models.Model):
    """One step of a case's state machine: who, when, from, to, and why."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="transitions")
    name = models.CharField(_("transition"), max_length=30)
    source = models.CharField(_("from"), max_length=20, choices=CaseState.choices, blank=True)
    target = models.CharField(_("to"), max_length=20, choices=CaseState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, verbose_name=_("by"))
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("case transition")
        verbose_name_plural = _("case transitions")
        ordering = ["case", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.source} → {self.target}"
