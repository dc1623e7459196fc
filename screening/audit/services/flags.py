"""Writes on single flags from the queue: assign, dismiss (with a reason); each recorded."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from medins.selectors import AnyUser
from screening.audit import roles, selectors
from screening.audit.models import Dismissal, DismissalReason, FlagAssignment, FlagEvent
from screening.audit.services.common import AuditError, NotVisible, require_audit_user
from screening.models import Flag

# A flag in a case or already decided is the case's business, not the queue's.
QUEUE_STATUSES = (Flag.Status.OPEN, Flag.Status.ASSIGNED)


def flags_fetch(*, user: AnyUser, flag_ids: Iterable[str]) -> list[Flag]:
    """The named flags, locked; NotVisible names any the user may not see."""
    wanted = list(dict.fromkeys(flag_ids))
    if not wanted:
        raise AuditError(_("Select at least one flag."))
    found = {
        flag.pk: flag
        for flag in selectors.flags_visible_to(user).select_for_update().filter(pk__in=wanted)
    }
    missing = [flag_id for flag_id in wanted if flag_id not in found]
    if missing:
        raise NotVisible(_("No such flag in your area: %(ids)s.") % {"ids": ", ".join(missing)})
    return [found[flag_id] for flag_id in wanted]


def require_in_queue(flags: list[Flag]) -> None:
    busy = [flag.pk for flag in flags if flag.status not in QUEUE_STATUSES]
    if busy:
        raise AuditError(
            _("These flags are already in a case or decided: %(ids)s.") % {"ids": ", ".join(busy)}
        )


@transaction.atomic
def flags_assign(
    *, user: AnyUser, flag_ids: Iterable[str], assignee: User, at: datetime
) -> list[Flag]:
    """Assign open flags to an auditor of the area; an auditor may assign only to themself."""
    require_audit_user(user)
    if not roles.is_approver(user) and assignee.pk != user.pk:
        raise AuditError(_("Only a supervisor may assign flags to someone else."))
    if not roles.is_audit_user(assignee):
        raise AuditError(_("%(user)s is not an auditor.") % {"user": assignee.get_username()})
    flags = flags_fetch(user=user, flag_ids=flag_ids)
    require_in_queue(flags)
    for flag in flags:
        FlagAssignment.objects.update_or_create(
            flag=flag, defaults={"assignee": assignee, "by": user, "at": at}
        )
        FlagEvent.objects.create(
            flag=flag, kind=FlagEvent.Kind.ASSIGNED, by=user, at=at, note=assignee.get_username()
        )
    Flag.objects.filter(pk__in=[flag.pk for flag in flags]).update(status=Flag.Status.ASSIGNED)
    return flags


def _dismiss(flag: Flag, *, reason: str, note: str, by: AnyUser, at: datetime) -> None:
    Dismissal.objects.update_or_create(
        flag=flag, defaults={"reason": reason, "note": note[:500], "by": by, "at": at}
    )
    FlagEvent.objects.create(
        flag=flag, kind=FlagEvent.Kind.DISMISSED, by=by, at=at, note=f"{reason} {note}"[:500]
    )


def reason_check(reason: str) -> str:
    if reason not in DismissalReason.values:
        raise AuditError(
            _("A dismissal needs a reason: one of %(allowed)s, not “%(reason)s”.")
            % {
                "allowed": ", ".join(str(label) for label in DismissalReason.labels),
                "reason": reason,
            }
        )
    return reason


@transaction.atomic
def flags_dismiss(
    *, user: AnyUser, flag_ids: Iterable[str], reason: str, note: str, at: datetime
) -> list[Flag]:
    """Dismiss flags with a reason; screening again later keeps them dismissed."""
    require_audit_user(user)
    reason_check(reason)
    flags = flags_fetch(user=user, flag_ids=flag_ids)
    require_in_queue(flags)
    for flag in flags:
        _dismiss(flag, reason=reason, note=note, by=user, at=at)
    Flag.objects.filter(pk__in=[flag.pk for flag in flags]).update(status=Flag.Status.DISMISSED)
    return flags
