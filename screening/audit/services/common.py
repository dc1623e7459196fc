"""What every audit service shares: its errors and the checks on who acts."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from medins.selectors import AnyUser
from screening.audit import roles


class AuditError(ValueError):
    """A refused audit action; the message says what is wrong and can be shown as it is."""


class NotVisible(AuditError):
    """The object is outside the user's area (views answer 404, never 403)."""


def require_audit_user(user: AnyUser) -> None:
    if not roles.is_audit_user(user):
        raise AuditError(_("Only auditors, supervisors and administrators may do this."))


def require_aware(at: datetime, *, what: str) -> datetime:
    if at.tzinfo is None:
        raise AuditError(_("The time %(what)s has no time zone.") % {"what": what})
    return at


def require_text(text: str, *, what: str, most: int = 5000) -> str:
    text = (text or "").strip()
    if not text:
        raise AuditError(_("%(what)s is required.") % {"what": what})
    if len(text) > most:
        raise AuditError(
            _("%(what)s is too long: %(length)s characters, at most %(most)s.")
            % {"what": what, "length": len(text), "most": most}
        )
    return text
