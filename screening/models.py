"""Rule configuration (versioned), screening runs and their partitions, flags and scores."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RuleConfigVersion(models.Model):
    """One version of a rule's configuration, in force from effective_from until replaced."""

    rule_code = models.CharField(_("rule"), max_length=40)
    enabled = models.BooleanField(_("enabled"), default=True)
    sev_deg = models.PositiveSmallIntegerField(_("severity"), null=True, blank=True)
    thresholds = models.JSONField(_("thresholds"), default=dict, blank=True)
    effective_from = models.DateTimeField(_("effective from"))
    effective_to = models.DateTimeField(_("effective to (exclusive)"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, verbose_name=_("author")
    )
    note = models.CharField(_("why"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rule configuration version")
        verbose_name_plural = _("rule configuration versions")
        ordering = ["rule_code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_code", "effective_from"], name="rule_config_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_code} @ {self.effective_from:%Y-%m-%d %H:%M}"


class ScreeningRun(models.Model):
    """One screening of a window of data over a scope, split into partitions."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        FINISHING = "finishing", _("Finishing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Kind(models.TextChoices):
        MANUAL = "manual", _("On demand")
        DAILY = "daily", _("Daily review (日审核)")
        MONTHLY = "monthly", _("Monthly screening (月筛查)")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MANUAL)
    window_start = models.DateField(_("window start"))
    window_end = models.DateField(_("window end (inclusive)"))
    scope = models.JSONField(_("scope"), default=dict, blank=True)  # {"divisions": [...], ...}
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    config = models.JSONField(_("configuration used"), default=dict)
    partitions_total = models.PositiveIntegerField(_("partitions"), default=0)
    partitions_done = models.PositiveIntegerField(_("partitions done"), default=0)
    counts = models.JSONField(_("findings per rule"), default=dict, blank=True)
    timings = models.JSONField(_("timings (s)"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("created at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("screening run")
        verbose_name_plural = _("screening runs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.window_start}–{self.window_end} ({self.status})"

    @property
    def progress(self) -> float:
        return self.partitions_done / self.partitions_total if self.partitions_total else 0.0

    @property
    def total_findings(self) -> int:
        return sum(self.counts.values())


class ScreeningPartition(models.Model):
    """A slice of a run: a range of person numbers over the window (plus its look-back)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    run = models.ForeignKey(ScreeningRun, models.CASCADE, related_name="partitions")
    number = models.PositiveIntegerField(_("number"))
    psn_from = models.CharField(_("first person number"), max_length=30, blank=True)
    psn_to = models.CharField(_("person number bound (exclusive)"), max_length=30, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    counts = models.JSONField(_("findings per rule"), default=dict, blank=True)
    timings = models.JSONField(_("timings (s)"), default=dict, blank=True)

    class Meta:
        verbose_name = _("screening partition")
        verbose_name_plural = _("screening partitions")
        ordering = ["run", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="partition_number_unique"),
        ]

    def __str__(self) -> str:
        return f"run {self.run_id} part {self.number}"


class Flag(models.Model):
    """A finding of a rule. Its id is stable, so a re-run updates it and keeps decisions."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ASSIGNED = "assigned", _("Assigned")
        IN_CASE = "in_case", _("In a case")
        CONFIRMED = "confirmed", _("Confirmed")
        DISMISSED = "dismissed", _("Dismissed")

    flag_id = models.CharField(_("flag ID"), max_length=200, primary_key=True)
    rule_code = models.CharField(_("rule"), max_length=40)
    setl_id = models.CharField(_("settlement ID"), max_length=40, blank=True, db_index=True)
    feedetl_sn = models.CharField(_("fee line"), max_length=40, blank=True)
    psn_no = models.CharField(_("person number"), max_length=30, blank=True, db_index=True)
    fixmedins_code = models.CharField(_("institution"), max_length=20, blank=True)
    dr_code = models.CharField(_("practitioner"), max_length=30, blank=True)
    sev_deg = models.PositiveSmallIntegerField(_("severity"))
    amount_at_risk = models.DecimalField(_("amount at risk"), max_digits=14, decimal_places=2)
    event_time = models.DateTimeField(_("event time"), null=True, blank=True)
    evidence = models.JSONField(_("evidence"), default=dict)
    triage_score = models.FloatField(_("triage score"), default=0.0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    first_run = models.ForeignKey(
        ScreeningRun, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_run = models.ForeignKey(
        ScreeningRun, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    detected_at = models.DateTimeField(_("detected at"))

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        indexes = [
            models.Index(fields=["status", "-triage_score"], name="flag_queue"),
            models.Index(fields=["fixmedins_code", "rule_code"], name="flag_institution_rule"),
            models.Index(fields=["rule_code", "status"], name="flag_rule_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(sev_deg__in=[1, 2, 3]), name="flag_sev_deg_valid"),
        ]

    def __str__(self) -> str:
        return self.flag_id


class SubjectScore(models.Model):
    """An anomaly model's score of one institution or practitioner in a run."""

    class Kind(models.TextChoices):
        INSTITUTION = "institution", _("Institution")
        PRACTITIONER = "practitioner", _("Practitioner")

    run = models.ForeignKey(ScreeningRun, models.CASCADE, related_name="scores")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    subject_code = models.CharField(_("subject"), max_length=30)
    risk_score = models.FloatField(_("risk score"))
    rank = models.PositiveIntegerField(_("rank"))
    top_features = models.JSONField(_("top features"), default=list)

    class Meta:
        verbose_name = _("anomaly score")
        verbose_name_plural = _("anomaly scores")
        ordering = ["run", "kind", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["run", "kind", "subject_code"], name="score_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_code} #{self.rank}"
