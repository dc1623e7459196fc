"""举报: whistleblower reports, each opening a case and tracking the reward."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from screening.audit.models.cases import Case


class WhistleblowerReport(models.Model):
    class Reward(models.TextChoices):
        NONE = "none", _("No reward")
        PENDING = "pending", _("Reward under review")
        APPROVED = "approved", _("Reward approved")
        PAID = "paid", _("Reward paid")

    institution = models.ForeignKey(
        "medins.Institution", models.PROTECT, verbose_name=_("reported institution")
    )
    text = models.TextField(_("what was reported"))
    reporter_name = models.CharField(_("reporter's name"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=20, blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, verbose_name=_("received by")
    )
    received_at = models.DateTimeField(_("received at"))
    case = models.OneToOneField(Case, models.PROTECT, related_name="report")
    reward_status = models.CharField(
        _("reward"), max_length=10, choices=Reward.choices, default=Reward.NONE
    )
    reward_amount = models.DecimalField(
        _("reward (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    reward_paid_at = models.DateTimeField(_("reward paid at"), null=True, blank=True)

    class Meta:
        verbose_name = _("whistleblower report")
        verbose_name_plural = _("whistleblower reports")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"report {self.pk} → case {self.case_id}"
