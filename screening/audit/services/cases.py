"""Cases: open one from flags, move it through its states, and record every step."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from medins.models import Institution
from medins.selectors import AnyUser
from screening.audit import roles, selectors
from screening.audit.models import (
    TRANSITION_LABELS,
    Appeal,
    Case,
    CaseFlag,
    CaseState,
    CaseTransition,
    Comment,
    DismissalReason,
    FlagEvent,
    InvestigationStep,
)
from screening.audit.rulebook import rule_name
from screening.audit.services.attachments import Upload, attachment_store
from screening.audit.services.common import (
    AuditError,
    NotVisible,
    require_audit_user,
    require_text,
)
from screening.audit.services.flags import (
    _dismiss,
    flags_fetch,
    reason_check,
    require_in_queue,
)
from screening.models import Flag

SUBJECT_FIELD = {
    Case.Subject.INSTITUTION: "fixmedins_code",
    Case.Subject.PERSON: "psn_no",
    Case.Subject.PRACTITIONER: "dr_code",
}
TRANSITIONS = (
    "assign",
    "start",
    "propose",
    "send_back",
    "approve",
    "appeal",
    "resolve_appeal",
    "close",
)


def case_fetch(*, user: AnyUser, case_id: int, lock: bool = True) -> Case:
    cases = selectors.cases_visible_to(user)
    case = (cases.select_for_update(of=("self",)) if lock else cases).filter(pk=case_id).first()
    if case is None:
        raise NotVisible(_("No such case in your area: %(id)s.") % {"id": case_id})
    return case


@transaction.atomic
def case_open(
    *,
    user: AnyUser,
    flag_ids: Iterable[str],
    subject_kind: str = Case.Subject.INSTITUTION,
    title: str = "",
    at: datetime,
) -> Case:
    """Gather queued flags about one institution, person or practitioner into a new case."""
    require_audit_user(user)
    if subject_kind not in SUBJECT_FIELD:
        raise AuditError(_("Unknown case subject %(kind)s.") % {"kind": subject_kind})
    flags = flags_fetch(user=user, flag_ids=flag_ids)
    require_in_queue(flags)
    subjects = {getattr(flag, SUBJECT_FIELD[subject_kind]) for flag in flags}
    if len(subjects) != 1 or "" in subjects:
        raise AuditError(
            _("A case is about one %(kind)s; these flags name %(count)s.")
            % {"kind": Case.Subject(subject_kind).label, "count": len(subjects - {""})}
        )
    codes = {flag.fixmedins_code for flag in flags}
    institution = Institution.objects.filter(pk=sorted(codes)[0]).first()
    subject = subjects.pop()
    case = Case.objects.create(
        title=title.strip()[:200]
        or _("%(rule)s at %(institution)s")
        % {
            "rule": rule_name(flags[0].rule_code),
            "institution": institution.name if institution else "-",
        },
        subject_kind=subject_kind,
        subject_code=subject,
        institution=institution if len(codes) == 1 else None,
        division_code=institution.division_code if institution else "",
        created_by=user,
        created_at=at,
        amount_at_risk=sum((flag.amount_at_risk for flag in flags), start=0),
    )
    case.deadline_from(at)
    case.save(update_fields=["deadline"])
    CaseTransition.objects.create(case=case, name="open", target=case.state, by=user, at=at)
    for flag in flags:
        CaseFlag.objects.create(case=case, flag=flag, added_at=at)
        FlagEvent.objects.create(
            flag=flag, kind=FlagEvent.Kind.ADDED_TO_CASE, by=user, at=at, note=f"#{case.pk}"
        )
    Flag.objects.filter(pk__in=[flag.pk for flag in flags]).update(status=Flag.Status.IN_CASE)
    return case


def _transition(case: Case, name: str, *, user: AnyUser, note: str, at: datetime) -> Case:
    if name not in TRANSITIONS:
        raise AuditError(_("Unknown case action %(name)s.") % {"name": name})
    method = getattr(case, name)
    if not can_proceed(method):
        raise AuditError(
            _("A case in state “%(state)s” cannot take the action “%(name)s”.")
            % {"state": CaseState(case.state).label, "name": TRANSITION_LABELS[name]}
        )
    if not has_transition_perm(method, user):
        raise AuditError(
            _("Your role may not take the action “%(name)s” on this case.")
            % {"name": TRANSITION_LABELS[name]}
        )
    if name == "approve" and _proposer(case) == user.pk:
        raise AuditError(_("You proposed this decision; another supervisor approves it."))
    source = case.state
    method()
    case.deadline_from(at)
    if case.state == CaseState.CLOSED:
        case.closed_at = at
    case.save()
    CaseTransition.objects.create(
        case=case, name=name, source=source, target=case.state, by=user, at=at, note=note.strip()
    )
    return case


@transaction.atomic
def case_transition(
    *, user: AnyUser, case_id: int, name: str, note: str = "", at: datetime
) -> Case:
    """Take one action on a case; the role, the state and the conditions must allow it."""
    case = case_fetch(user=user, case_id=case_id)
    if name in ("assign", "propose", "appeal"):
        raise AuditError(
            _("Use the form for “%(name)s”: it needs more than a note.")
            % {"name": TRANSITION_LABELS[name]}
        )
    _transition(case, name, user=user, note=note, at=at)
    if name == "approve":
        _decision_apply(case, user=user, at=at)
    return case


def _proposer(case: Case) -> int | None:
    """Who made the proposal under review (four eyes: they may not approve it too)."""
    latest = case.transitions.filter(name="propose").order_by("-at", "-pk").first()
    return latest.by_id if latest is not None else None


@transaction.atomic
def case_assign(
    *, user: AnyUser, case_id: int, assignee: User, note: str = "", at: datetime
) -> Case:
    """新建 → 已分派: a supervisor assigns any auditor; an auditor may only take it."""
    case = case_fetch(user=user, case_id=case_id)
    if not roles.is_approver(user) and assignee.pk != user.pk:
        raise AuditError(_("Only a supervisor may assign a case to someone else."))
    if not roles.is_audit_user(assignee):
        raise AuditError(_("%(user)s is not an auditor.") % {"user": assignee.get_username()})
    case.assignee = assignee
    return _transition(case, "assign", user=user, note=note or assignee.get_username(), at=at)


@transaction.atomic
def case_propose(
    *, user: AnyUser, case_id: int, proposal: str, reason: str = "", note: str, at: datetime
) -> Case:
    """调查中 → 待复核 with a proposed decision (and the reason when it is no action)."""
    case = case_fetch(user=user, case_id=case_id)
    if proposal not in Case.Proposal.values:
        raise AuditError(_("Propose either to confirm the findings or no action."))
    if proposal == Case.Proposal.NO_ACTION:
        reason_check(reason)
    case.proposal, case.proposal_reason = proposal, reason if proposal != "confirm" else ""
    case.proposal_note = require_text(note, what=_("The grounds of the proposal"))
    return _transition(case, "propose", user=user, note=case.proposal_note, at=at)


def _decision_apply(case: Case, *, user: AnyUser, at: datetime) -> None:
    """The approved decision judges the case's flags: confirmed, or dismissed with its reason."""
    flags = list(Flag.objects.filter(case_link__case=case))
    if case.state == CaseState.DECIDED:
        for flag in flags:
            FlagEvent.objects.create(
                flag=flag, kind=FlagEvent.Kind.CONFIRMED, by=user, at=at, note=f"#{case.pk}"
            )
        status = Flag.Status.CONFIRMED
    else:
        for flag in flags:
            _dismiss(
                flag,
                reason=case.proposal_reason or DismissalReason.FALSE_POSITIVE,
                note=f"#{case.pk} {case.proposal_note}",
                by=user,
                at=at,
            )
        status = Flag.Status.DISMISSED
    Flag.objects.filter(pk__in=[flag.pk for flag in flags]).update(status=status)


@transaction.atomic
def case_appeal(
    *,
    case_id: int,
    text: str,
    by: AnyUser,
    attachments: Iterable[Upload] = (),
    at: datetime | None = None,
) -> Appeal:
    """申诉: the institution (or an auditor on its behalf) contests the case before a decision."""
    at = at or timezone.now()
    case = case_fetch(user=by, case_id=case_id)
    text = require_text(text, what=_("The appeal"))
    _transition(case, "appeal", user=by, note=text, at=at)
    appeal = Appeal.objects.create(case=case, text=text, by=by, at=at)
    for upload in attachments:
        attachment_store(case=case, upload=upload, by=by, at=at, appeal=appeal)
    return appeal


@transaction.atomic
def case_appeal_resolve(*, user: AnyUser, case_id: int, resolution: str, at: datetime) -> Case:
    case = case_fetch(user=user, case_id=case_id)
    resolution = require_text(resolution, what=_("The resolution of the appeal"))
    _transition(case, "resolve_appeal", user=user, note=resolution, at=at)
    case.appeals.filter(resolved_at__isnull=True).update(resolution=resolution, resolved_at=at)
    return case


def _require_worker(case: Case, user: AnyUser) -> None:
    require_audit_user(user)
    if case.state == CaseState.CLOSED:
        raise AuditError(_("Case #%(id)s is closed.") % {"id": case.pk})


@transaction.atomic
def case_comment(*, user: AnyUser, case_id: int, text: str, at: datetime) -> Comment:
    case = case_fetch(user=user, case_id=case_id)
    _require_worker(case, user)
    return Comment.objects.create(
        case=case, author=user, text=require_text(text, what=_("The comment")), at=at
    )


@transaction.atomic
def case_step_add(
    *, user: AnyUser, case_id: int, kind: str, description: str, at: datetime
) -> InvestigationStep:
    case = case_fetch(user=user, case_id=case_id)
    _require_worker(case, user)
    if kind not in InvestigationStep.Kind.values:
        raise AuditError(_("Unknown investigation step %(kind)s.") % {"kind": kind})
    if case.state not in (CaseState.INVESTIGATING, CaseState.APPEALED):
        raise AuditError(_("Investigation steps are recorded while the case is investigated."))
    description = require_text(description, what=_("What was done"))
    return InvestigationStep.objects.create(
        case=case, kind=kind, description=description, by=user, at=at
    )


@transaction.atomic
def case_attach(*, user: AnyUser, case_id: int, upload: Upload, at: datetime) -> object:
    case = case_fetch(user=user, case_id=case_id)
    _require_worker(case, user)
    return attachment_store(case=case, upload=upload, by=user, at=at)


@transaction.atomic
def case_flags_add(*, user: AnyUser, case_id: int, flag_ids: Iterable[str], at: datetime) -> Case:
    """Gather more queued flags about the case's subject into a case still being worked on."""
    require_audit_user(user)
    case = case_fetch(user=user, case_id=case_id)
    if case.state not in (CaseState.NEW, CaseState.ASSIGNED, CaseState.INVESTIGATING):
        raise AuditError(_("Flags join a case only before its decision is proposed."))
    flags = flags_fetch(user=user, flag_ids=flag_ids)
    require_in_queue(flags)
    field = SUBJECT_FIELD[case.subject_kind]
    strangers = [flag.pk for flag in flags if getattr(flag, field) != case.subject_code]
    if strangers:
        raise AuditError(
            _("These flags are about someone else than case #%(id)s: %(ids)s.")
            % {"id": case.pk, "ids": ", ".join(strangers)}
        )
    for flag in flags:
        CaseFlag.objects.create(case=case, flag=flag, added_at=at)
        FlagEvent.objects.create(
            flag=flag, kind=FlagEvent.Kind.ADDED_TO_CASE, by=user, at=at, note=f"#{case.pk}"
        )
    Flag.objects.filter(pk__in=[flag.pk for flag in flags]).update(status=Flag.Status.IN_CASE)
    case.amount_at_risk += sum((flag.amount_at_risk for flag in flags), start=0)
    case.save(update_fields=["amount_at_risk"])
    return case
