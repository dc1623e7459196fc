"""Hotline complaints under the three-day rule, and the outbox of text messages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from medins.models import Division


class Complaint(models.Model):
    """投诉: a hotline complaint; instruction on day 1, contact by day 2, resolution by day 3."""

    number = models.CharField(_("complaint number"), max_length=30, unique=True)
    county = models.ForeignKey(
        Division, models.PROTECT, related_name="complaints", verbose_name=_("county")
    )
    station = models.ForeignKey(
        "services.Station",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("station complained about"),
    )
    complainant_name = models.CharField(_("complainant"), max_length=50)
    complainant_phone = models.CharField(_("complainant's phone"), max_length=20)
    content = models.TextField(_("complaint"))
    received_at = models.DateTimeField(_("received at"))
    day_one = models.DateField(_("day one (first working day)"))
    instruction_due = models.DateField(_("instruction due"))
    contact_due = models.DateField(_("contact due"))
    resolution_due = models.DateField(_("resolution due"))
    instruction = models.CharField(_("instruction"), max_length=1000, blank=True)
    instructed_at = models.DateTimeField(_("instructed at"), null=True, blank=True)
    contact_note = models.CharField(_("contact with the complainant"), max_length=1000, blank=True)
    contacted_at = models.DateTimeField(_("contacted at"), null=True, blank=True)
    resolution = models.CharField(_("resolution"), max_length=1000, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    alerted_steps = models.JSONField(_("overdue steps alerted"), default=list, blank=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.number


class ComplaintEvent(models.Model):
    """One step of a complaint: instruction, contact or resolution, by whom and when."""

    complaint = models.ForeignKey(
        Complaint, models.CASCADE, related_name="events", verbose_name=_("complaint")
    )
    step = models.CharField(_("step"), max_length=12)
    note = models.CharField(_("note"), max_length=1000)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, verbose_name=_("by"))
    at = models.DateTimeField(_("at"))
    late = models.BooleanField(_("after the due day"), default=False)

    class Meta:
        verbose_name = _("complaint step")
        verbose_name_plural = _("complaint steps")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.step}"


class Notification(models.Model):
    """A text message to send, and what the gateway did with it (the default gateway's outbox)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    phone = models.CharField(_("phone"), max_length=20)
    text = models.CharField(_("text"), max_length=500)
    psn_no = models.CharField(_("person number"), max_length=30, blank=True)
    request = models.ForeignKey(
        "services.ServiceRequest",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("request"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    gateway = models.CharField(_("gateway"), max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("text message")
        verbose_name_plural = _("text message outbox")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.phone} {self.status}"
