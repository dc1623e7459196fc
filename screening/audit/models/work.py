"""What happens inside a case: investigation steps, comments, evidence, appeals, bed checks
and outcomes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from screening.audit.models.cases import Case

USER = settings.AUTH_USER_MODEL
MONEY = {"max_digits": 14, "decimal_places": 2}


class InvestigationStep(models.Model):
    class Kind(models.TextChoices):
        ONLINE_REVIEW = "online_review", _("Online review")
        BED_CHECK = "bed_check", _("Remote bed check")
        RECORDS_REQUEST = "records_request", _("Request for medical records")
        ONSITE = "onsite", _("On-site inspection")

    case = models.ForeignKey(Case, models.CASCADE, related_name="steps")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("what was done"))
    by = models.ForeignKey(USER, models.PROTECT, verbose_name=_("by"))
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("investigation step")
        verbose_name_plural = _("investigation steps")
        ordering = ["case", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class Comment(models.Model):
    case = models.ForeignKey(Case, models.CASCADE, related_name="comments")
    author = models.ForeignKey(USER, models.PROTECT, verbose_name=_("author"))
    text = models.TextField(_("comment"))
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["case", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.author_id}"


class Appeal(models.Model):
    """申诉: the institution's written objection to a case's findings."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="appeals")
    text = models.TextField(_("appeal"))
    by = models.ForeignKey(USER, models.PROTECT, verbose_name=_("filed by"))
    at = models.DateTimeField(_("filed at"))
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["case", "at"]

    def __str__(self) -> str:
        return f"{self.case_id} appeal {self.at:%Y-%m-%d}"


class Attachment(models.Model):
    """Evidence stored under MEDIA_ROOT by checksum; size and type were checked on upload."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="attachments")
    appeal = models.ForeignKey(
        Appeal, models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="audit/", max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(USER, models.PROTECT, verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["case", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class BedCheckTask(models.Model):
    """远程查床 task for an inpatient encounter; its result lands in settlement.BedCheck."""

    class Result(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        NO_SUCH_PATIENT = "no_such_patient", _("No such patient")

    case = models.ForeignKey(Case, models.CASCADE, null=True, blank=True, related_name="bed_checks")
    settlement = models.ForeignKey(
        "settlement.Settlement", models.CASCADE, related_name="+", verbose_name=_("encounter")
    )
    issued_by = models.ForeignKey(
        USER, models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    issued_at = models.DateTimeField(_("issued at"))
    due_at = models.DateTimeField(_("due by"))
    instructions = models.CharField(_("instructions"), max_length=500, blank=True)
    result = models.CharField(_("result"), max_length=20, choices=Result.choices, blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        USER, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("bed check task")
        verbose_name_plural = _("bed check tasks")
        ordering = ["-issued_at", "-pk"]

    def __str__(self) -> str:
        return f"BC{self.pk} {self.settlement_id}"

    @property
    def check_id(self) -> str:
        """The id of the settlement.BedCheck row this task's result writes."""
        return f"AUDIT-BC{self.pk}"


class Outcome(models.Model):
    """稽核处理: one consequence of a decided case."""

    class Kind(models.TextChoices):
        RECOVERY = "recovery", _("Recovery of fund payments")
        FINE = "fine", _("Administrative fine")
        INTERVIEW = "interview", _("Administrative interview")
        SUSPENSION = "suspension", _("Suspension of designation")
        TERMINATION = "termination", _("Termination of the agreement")
        POINTS = "points", _("Practitioner point deduction")
        TRANSFER = "transfer", _("Transfer to another authority")

    class Authority(models.TextChoices):
        POLICE = "police", _("Public security (police)")
        DISCIPLINE = "discipline", _("Discipline inspection commission")
        HEALTH = "health", _("Health commission")

    case = models.ForeignKey(Case, models.CASCADE, related_name="outcomes")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    amount = models.DecimalField(_("amount (yuan)"), null=True, blank=True, **MONEY)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    period_from = models.DateField(_("from"), null=True, blank=True)
    period_to = models.DateField(_("to (exclusive)"), null=True, blank=True)
    practitioner = models.ForeignKey(
        "medins.Practitioner", models.PROTECT, null=True, blank=True, verbose_name=_("practitioner")
    )
    points = models.PositiveSmallIntegerField(_("points"), null=True, blank=True)
    authority = models.CharField(
        _("authority"), max_length=12, choices=Authority.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    by = models.ForeignKey(USER, models.PROTECT, verbose_name=_("decided by"))
    at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        ordering = ["case", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0), name="outcome_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None
