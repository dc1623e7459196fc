"""What auditors did to single flags: assignments, dismissals, and every such event."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from screening.audit.models.cases import DismissalReason

USER = settings.AUTH_USER_MODEL


class FlagAssignment(models.Model):
    flag = models.OneToOneField("screening.Flag", models.CASCADE, related_name="assignment")
    assignee = models.ForeignKey(
        USER, models.PROTECT, related_name="flag_assignments", verbose_name=_("auditor")
    )
    by = models.ForeignKey(USER, models.PROTECT, related_name="+", verbose_name=_("assigned by"))
    at = models.DateTimeField(_("assigned at"))

    class Meta:
        verbose_name = _("flag assignment")
        verbose_name_plural = _("flag assignments")

    def __str__(self) -> str:
        return f"{self.flag_id} → {self.assignee_id}"


class Dismissal(models.Model):
    """Why a flag was dismissed; false positives lower the rule's confirmed precision."""

    flag = models.OneToOneField("screening.Flag", models.CASCADE, related_name="dismissal")
    reason = models.CharField(_("reason"), max_length=20, choices=DismissalReason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    by = models.ForeignKey(USER, models.PROTECT, verbose_name=_("dismissed by"))
    at = models.DateTimeField(_("dismissed at"))

    class Meta:
        verbose_name = _("dismissal")
        verbose_name_plural = _("dismissals")
        indexes = [models.Index(fields=["reason"], name="dismissal_reason")]

    def __str__(self) -> str:
        return f"{self.flag_id} {self.reason}"


class FlagEvent(models.Model):
    """One recorded action on a flag (the flag page's history)."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        DISMISSED = "dismissed", _("Dismissed")
        ADDED_TO_CASE = "in_case", _("Added to a case")
        CONFIRMED = "confirmed", _("Confirmed")

    flag = models.ForeignKey("screening.Flag", models.CASCADE, related_name="audit_events")
    kind = models.CharField(_("event"), max_length=12, choices=Kind.choices)
    by = models.ForeignKey(USER, models.PROTECT, verbose_name=_("by"))
    at = models.DateTimeField(_("at"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("flag event")
        verbose_name_plural = _("flag events")
        ordering = ["flag", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.flag_id} {self.kind}"
