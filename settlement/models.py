"""Settled encounters, their diagnoses, fee-detail lines and remote bed checks."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from medins.models import Institution, Person

MONEY = {"max_digits": 14, "decimal_places": 2}


class Settlement(models.Model):
    """结算: one settled encounter (outpatient visit, pharmacy purchase or inpatient stay)."""

    class MedicalType(models.TextChoices):
        OUTPATIENT = "11", _("General outpatient")
        EMERGENCY = "13", _("Emergency")
        CHRONIC_OUTPATIENT = "14", _("Outpatient chronic/special disease")
        INPATIENT = "21", _("General inpatient")
        INJURY_INPATIENT = "22", _("Injury inpatient")
        DAY_SURGERY = "28", _("Day surgery")
        PHARMACY = "41", _("Pharmacy purchase")

    setl_id = models.CharField(_("settlement ID"), max_length=40, primary_key=True)
    encounter_id = models.CharField(_("encounter ID"), max_length=40, unique=True)
    person = models.ForeignKey(
        Person, models.PROTECT, related_name="settlements", verbose_name=_("person")
    )
    institution = models.ForeignKey(
        Institution, models.PROTECT, related_name="settlements", verbose_name=_("institution")
    )
    insurance_type = models.CharField(_("insurance type"), max_length=3)
    medical_type = models.CharField(_("medical type"), max_length=6)
    begin_time = models.DateTimeField(_("begin time"))
    end_time = models.DateTimeField(_("end time"))
    main_diagnosis = models.CharField(_("main diagnosis"), max_length=30, blank=True)
    department_code = models.CharField(_("department"), max_length=20, blank=True)
    attending_code = models.CharField(_("attending practitioner"), max_length=30, blank=True)
    # Day surgery's procedure (its fixed rate) and a radiotherapy course (its quota).
    procedure_code = models.CharField(_("procedure"), max_length=30, blank=True)
    radiotherapy_course = models.CharField(_("radiotherapy course"), max_length=40, blank=True)
    total = models.DecimalField(_("total medical cost"), **MONEY)
    fully_self_paid = models.DecimalField(_("fully self-paid"), **MONEY)
    in_scope = models.DecimalField(_("within policy scope"), **MONEY)
    fund_paid = models.DecimalField(_("paid by pooled fund"), **MONEY)
    account_paid = models.DecimalField(_("paid from personal account"), **MONEY)
    cash_paid = models.DecimalField(_("paid in cash"), **MONEY)
    settled_at = models.DateTimeField(_("settlement time"))
    is_reversal = models.BooleanField(_("reverses an earlier settlement"), default=False)

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        indexes = [
            models.Index(fields=["person", "begin_time"], name="setl_person_time"),
            models.Index(fields=["institution", "begin_time"], name="setl_institution_time"),
            models.Index(fields=["settled_at"], name="setl_settled_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gte=models.F("begin_time")), name="settlement_end_after_begin"
            ),
        ]

    def __str__(self) -> str:
        return self.setl_id

    @property
    def is_inpatient(self) -> bool:
        return self.medical_type.startswith("2")


class Diagnosis(models.Model):
    """诊断: one diagnosis of an encounter; rank 1 is the main one."""

    settlement = models.ForeignKey(
        Settlement,
        models.CASCADE,
        to_field="encounter_id",
        db_column="encounter_id",
        related_name="diagnoses",
        verbose_name=_("encounter"),
    )
    rank = models.PositiveSmallIntegerField(_("order"))
    code = models.CharField(_("ICD-10 code"), max_length=30)

    class Meta:
        verbose_name = _("diagnosis")
        verbose_name_plural = _("diagnoses")
        constraints = [
            models.UniqueConstraint(fields=["settlement", "rank"], name="diagnosis_rank_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.settlement_id} #{self.rank} {self.code}"


class FeeLine(models.Model):
    """费用明细: one charged line of a settlement (negative quantity: a refund)."""

    line_id = models.CharField(_("fee line number"), max_length=40, primary_key=True)
    # Every index slows the bulk import (measured: 12 indexes made inserting 200k lines take
    # 5.0 s, these 6 take 2.8 s), so the FKs get no index of their own: person and institution
    # lead the composite indexes below, and settlement and encounter get plain ones, without
    # the varchar_pattern_ops copies PostgreSQL would otherwise add for LIKE.
    settlement = models.ForeignKey(
        Settlement,
        models.CASCADE,
        related_name="fee_lines",
        verbose_name=_("settlement"),
        db_index=False,
    )
    encounter_id = models.CharField(_("encounter ID"), max_length=40)
    person = models.ForeignKey(
        Person, models.PROTECT, related_name="fee_lines", verbose_name=_("person"), db_index=False
    )
    institution = models.ForeignKey(
        Institution,
        models.PROTECT,
        related_name="fee_lines",
        verbose_name=_("institution"),
        db_index=False,
    )
    occurred_at = models.DateTimeField(_("charge time"))
    item_code = models.CharField(_("national list code"), max_length=50)
    institution_item_code = models.CharField(
        _("institution's item code"), max_length=150, blank=True
    )
    charge_type = models.CharField(_("charge item type"), max_length=2)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=4)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=4)
    amount = models.DecimalField(_("line amount"), **MONEY)
    supply_days = models.PositiveIntegerField(_("days of supply"), null=True, blank=True)
    department_code = models.CharField(_("ordering department"), max_length=20, blank=True)
    practitioner_code = models.CharField(_("ordering practitioner"), max_length=30, blank=True)
    charge_level = models.CharField(_("charge level"), max_length=2, blank=True)

    class Meta:
        verbose_name = _("fee line")
        verbose_name_plural = _("fee lines")
        indexes = [
            models.Index(fields=["person", "occurred_at"], name="fee_person_time"),
            models.Index(fields=["institution", "occurred_at"], name="fee_institution_time"),
            models.Index(fields=["settlement"], name="fee_settlement"),
            models.Index(fields=["encounter_id"], name="fee_encounter"),
        ]

    def __str__(self) -> str:
        return self.line_id


class BedCheck(models.Model):
    """远程查床: the result of one remote bed check of an inpatient encounter."""

    class Result(models.TextChoices):
        PRESENT = "1", _("Present")
        ABSENT = "2", _("Absent")
        NO_SUCH_PATIENT = "3", _("No such patient")

    check_id = models.CharField(_("check ID"), max_length=40, primary_key=True)
    settlement = models.ForeignKey(
        Settlement,
        models.CASCADE,
        to_field="encounter_id",
        db_column="encounter_id",
        related_name="bed_checks",
        verbose_name=_("encounter"),
    )
    checked_at = models.DateTimeField(_("checked at"))
    result = models.CharField(_("result"), max_length=1, choices=Result.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("bed check")
        verbose_name_plural = _("bed checks")
        indexes = [
            models.Index(fields=["settlement", "checked_at"], name="bedcheck_encounter_time")
        ]

    def __str__(self) -> str:
        return f"{self.check_id} {self.get_result_display()}"


class ImportBatch(models.Model):
    """One import of an interchange batch: what came in, and how it ended."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Imported")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Failed")

    source = models.CharField(_("source"), max_length=500)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    row_counts = models.JSONField(_("rows per file"), default=dict, blank=True)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(_("first errors"), default=list, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    report_path = models.CharField(_("error report"), max_length=500, blank=True)
    institution = models.ForeignKey(
        Institution,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_batches",
        verbose_name=_("submitted by institution"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.source} ({self.status})"


# --- The REST API for hospital and pharmacy systems (issue 5). ---


class ApiCredential(models.Model):
    """An institution's API key. Only a hash is stored; the key is shown once, when issued.

    Rotating issues a new key and revokes the old one; a revoked key authenticates no more.
    """

    institution = models.ForeignKey(
        Institution,
        models.CASCADE,
        related_name="api_credentials",
        verbose_name=_("institution"),
    )
    name = models.CharField(_("client name"), max_length=100)
    prefix = models.CharField(_("key prefix"), max_length=16, unique=True)
    key_hash = models.CharField(_("key hash (SHA-256)"), max_length=64)
    rate = models.CharField(
        _("rate limit"),
        max_length=20,
        blank=True,
        help_text=_("Requests per period, e.g. 600/min; empty: the default rate."),
    )
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    replaced_by = models.OneToOneField(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("replaced by"),
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API credential")
        verbose_name_plural = _("API credentials")
        ordering = ["institution", "-created_at"]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(models.Model):
    """The first result of a submission carrying an Idempotency-Key, per institution."""

    institution = models.ForeignKey(
        Institution, models.CASCADE, related_name="+", verbose_name=_("institution")
    )
    key = models.CharField(_("idempotency key"), max_length=100)
    request_hash = models.CharField(_("request hash"), max_length=64)
    settlement = models.ForeignKey(
        Settlement,
        models.CASCADE,
        null=True,
        related_name="+",
        verbose_name=_("settlement"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["institution", "key"], name="idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.key}"


class SettlementReversal(models.Model):
    """冲正: a settlement reversed by a negative one; a settlement is reversed at most once."""

    original = models.OneToOneField(
        Settlement, models.CASCADE, related_name="reversal", verbose_name=_("original")
    )
    reversing = models.OneToOneField(
        Settlement, models.CASCADE, related_name="reverses", verbose_name=_("reversing settlement")
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    reversed_at = models.DateTimeField(_("reversed at"))
    credential = models.ForeignKey(
        ApiCredential,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("API credential"),
    )

    class Meta:
        verbose_name = _("settlement reversal")
        verbose_name_plural = _("settlement reversals")

    def __str__(self) -> str:
        return f"{self.original_id} → {self.reversing_id}"


class PrecheckRecord(models.Model):
    """One pre-check (事前/事中, 3101/3102) of an encounter, as the hospital sent it."""

    task_id = models.CharField(_("task ID"), max_length=40, primary_key=True)
    institution = models.ForeignKey(
        Institution, models.CASCADE, related_name="prechecks", verbose_name=_("institution")
    )
    encounter_id = models.CharField(_("encounter ID"), max_length=40, db_index=True)
    person = models.ForeignKey(
        Person, models.CASCADE, related_name="prechecks", verbose_name=_("person")
    )
    trigger = models.CharField(_("trigger scene"), max_length=2, blank=True)
    request = models.JSONField(_("request"))
    checked_at = models.DateTimeField(_("checked at"))
    violation_count = models.PositiveIntegerField(_("violations"), default=0)

    class Meta:
        verbose_name = _("pre-check")
        verbose_name_plural = _("pre-checks")
        ordering = ["-checked_at"]
        indexes = [models.Index(fields=["institution", "checked_at"], name="precheck_inst_time")]

    def __str__(self) -> str:
        return f"{self.task_id} {self.encounter_id}"


class PrecheckViolation(models.Model):
    """One violation a pre-check found (违规信息), in the 3101/3102 output shape."""

    jr_id = models.CharField(_("result ID"), max_length=50, primary_key=True)
    precheck = models.ForeignKey(
        PrecheckRecord, models.CASCADE, related_name="violations", verbose_name=_("pre-check")
    )
    rule_code = models.CharField(_("rule"), max_length=40)
    rule_name = models.CharField(_("rule name"), max_length=200)
    content = models.CharField(_("what is wrong"), max_length=500)
    amount = models.DecimalField(_("amount in doubt"), **MONEY)
    sev_deg = models.PositiveSmallIntegerField(_("severity"))
    evidence = models.TextField(_("evidence"))
    lines = models.JSONField(_("fee lines"), default=list)

    class Meta:
        verbose_name = _("pre-check violation")
        verbose_name_plural = _("pre-check violations")

    def __str__(self) -> str:
        return f"{self.jr_id} {self.rule_code}"


class PrecheckAnswer(models.Model):
    """The hospital's answer to a pre-check warning (3103): continue or modify, and why."""

    class Way(models.TextChoices):
        CONTINUE = "1", _("Continue")
        MODIFY = "2", _("Return to modify")

    violation = models.OneToOneField(
        PrecheckViolation, models.CASCADE, related_name="answer", verbose_name=_("violation")
    )
    warn_type = models.CharField(_("warning type"), max_length=1)
    way = models.CharField(_("disposal"), max_length=1, choices=Way.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    answered_at = models.DateTimeField(_("answered at"))
    credential = models.ForeignKey(
        ApiCredential,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("API credential"),
    )

    class Meta:
        verbose_name = _("pre-check answer")
        verbose_name_plural = _("pre-check answers")

    def __str__(self) -> str:
        return f"{self.violation_id} {self.get_way_display()}"


class SettlementBreakdown(models.Model):
    """How the policy engine split a settlement submitted through the API, step by step."""

    settlement = models.OneToOneField(
        Settlement, models.CASCADE, related_name="breakdown", verbose_name=_("settlement")
    )
    policy_version = models.CharField(_("policy version"), max_length=100, blank=True)
    amounts = models.JSONField(_("amounts"), default=dict)
    steps = models.JSONField(_("steps"), default=list)

    class Meta:
        verbose_name = _("settlement breakdown")
        verbose_name_plural = _("settlement breakdowns")

    def __str__(self) -> str:
        return self.settlement_id
