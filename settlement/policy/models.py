"""Settlement policy as versioned data, and the refunds a retroactive change leads to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from medins.models import Institution
from settlement.models import Settlement

MONEY = {"max_digits": 14, "decimal_places": 2}
RATIO = {"max_digits": 5, "decimal_places": 4}


class PolicyVersion(models.Model):
    """One complete policy set with its effective period; published versions never change.

    An edit is a new version (copied from the one it revises, with its author); for any day
    the version in force is the latest published one whose period contains that day.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    code = models.CharField(_("version code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    document = models.CharField(_("policy document"), max_length=200, blank=True)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to (exclusive)"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    based_on = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions",
        verbose_name=_("revises"),
    )
    dialysis_icd_prefixes = models.CharField(
        _("dialysis diagnoses (ICD-10 prefixes, |-separated)"), max_length=200, blank=True
    )
    dialysis_no_class_b_from = models.DateField(
        _("dialysis without class B self-pay from"), null=True, blank=True
    )
    note = models.TextField(_("what changed"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gt=F("effective_from")),
                name="policy_version_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class PolicyScheme(models.Model):
    """The rates of one insurance type × medical type × institution level in a version."""

    class DeductibleBasis(models.TextChoices):
        STAY = "stay", _("Per stay or visit")
        YEAR = "year", _("Per year")

    version = models.ForeignKey(
        PolicyVersion, models.CASCADE, related_name="schemes", verbose_name=_("version")
    )
    insutype = models.CharField(_("insurance type"), max_length=3)
    med_type = models.CharField(_("medical type"), max_length=6)
    institution_level = models.PositiveSmallIntegerField(
        _("institution level"), choices=[(1, "1"), (2, "2"), (3, "3")]
    )
    deductible = models.DecimalField(_("deductible"), default=0, **MONEY)
    deductible_basis = models.CharField(
        _("deductible basis"),
        max_length=4,
        choices=DeductibleBasis.choices,
        default=DeductibleBasis.STAY,
    )
    deductible_group = models.CharField(
        _("deductible shared with"),
        max_length=20,
        blank=True,
        help_text=_("Schemes with the same group share one per-year deductible."),
    )
    fund_ratio = models.DecimalField(_("fund share"), **RATIO)
    annual_cap = models.DecimalField(_("annual cap"), null=True, blank=True, **MONEY)
    outpatient_quota = models.DecimalField(
        _("outpatient annual quota"), null=True, blank=True, **MONEY
    )
    class_b_self_ratio = models.DecimalField(_("class B first self-paid share"), default=0, **RATIO)
    personal_account = models.BooleanField(_("personal account pays"), default=False)
    negotiated_ratio = models.DecimalField(
        _("dual-channel negotiated drug share"), null=True, blank=True, **RATIO
    )
    radiotherapy_course_quota = models.DecimalField(
        _("radiotherapy quota per course"), null=True, blank=True, **MONEY
    )
    cross_region_filed_cut = models.DecimalField(
        _("cross-region share cut, filed"), default=0, **RATIO
    )
    cross_region_unfiled_cut = models.DecimalField(
        _("cross-region share cut, not filed"), default=0, **RATIO
    )
    chronic = models.BooleanField(
        _("chronic/special disease scheme"),
        default=False,
        help_text=_("Pays only certified diseases, within their annual quotas."),
    )

    class Meta:
        verbose_name = _("policy scheme")
        verbose_name_plural = _("policy schemes")
        ordering = ["insutype", "med_type", "institution_level"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "insutype", "med_type", "institution_level"],
                name="policy_scheme_unique",
            ),
            models.CheckConstraint(
                condition=Q(fund_ratio__gte=0, fund_ratio__lte=1), name="policy_scheme_ratio"
            ),
            models.CheckConstraint(
                condition=Q(class_b_self_ratio__gte=0, class_b_self_ratio__lte=1)
                & Q(cross_region_filed_cut__gte=0, cross_region_filed_cut__lte=1)
                & Q(cross_region_unfiled_cut__gte=0, cross_region_unfiled_cut__lte=1)
                & (
                    Q(negotiated_ratio__isnull=True)
                    | Q(negotiated_ratio__gte=0, negotiated_ratio__lte=1)
                ),
                name="policy_scheme_shares",
                violation_error_message=_("Shares and cuts are fractions between 0 and 1."),
            ),
            models.CheckConstraint(condition=Q(deductible__gte=0), name="policy_scheme_deductible"),
        ]

    def __str__(self) -> str:
        return f"{self.version.code} {self.insutype}/{self.med_type}/{self.institution_level}"


class ChronicDiseaseQuota(models.Model):
    """门诊慢特病: one disease's annual quota and share for one insurance type."""

    version = models.ForeignKey(
        PolicyVersion, models.CASCADE, related_name="chronic_diseases", verbose_name=_("version")
    )
    insutype = models.CharField(_("insurance type"), max_length=3)
    code = models.CharField(_("disease code"), max_length=20)
    name = models.CharField(_("disease"), max_length=100)
    icd_prefixes = models.CharField(_("diagnoses (ICD-10 prefixes, |-separated)"), max_length=300)
    annual_quota = models.DecimalField(_("annual quota"), null=True, blank=True, **MONEY)
    fund_ratio = models.DecimalField(_("fund share"), null=True, blank=True, **RATIO)

    class Meta:
        verbose_name = _("chronic disease quota")
        verbose_name_plural = _("chronic disease quotas")
        ordering = ["insutype", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "insutype", "code"], name="policy_chronic_unique"
            ),
            models.CheckConstraint(
                condition=Q(fund_ratio__isnull=True) | Q(fund_ratio__gte=0, fund_ratio__lte=1),
                name="policy_chronic_ratio",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DaySurgeryRate(models.Model):
    """日间手术: the fixed fund amount for one procedure at one insurance type and level."""

    version = models.ForeignKey(
        PolicyVersion, models.CASCADE, related_name="day_surgery_rates", verbose_name=_("version")
    )
    insutype = models.CharField(_("insurance type"), max_length=3)
    institution_level = models.PositiveSmallIntegerField(
        _("institution level"), choices=[(1, "1"), (2, "2"), (3, "3")]
    )
    code = models.CharField(_("procedure code"), max_length=30)
    name = models.CharField(_("procedure"), max_length=100)
    fund_amount = models.DecimalField(_("fixed fund amount"), **MONEY)
    icd_prefixes = models.CharField(
        _("diagnoses (ICD-10 prefixes, |-separated)"), max_length=300, blank=True
    )

    class Meta:
        verbose_name = _("day surgery rate")
        verbose_name_plural = _("day surgery rates")
        ordering = ["insutype", "institution_level", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "insutype", "institution_level", "code"],
                name="policy_day_surgery_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class NegotiatedDrug(models.Model):
    """国谈药: a negotiated drug the dual channel (双通道) pays outside the outpatient quota."""

    version = models.ForeignKey(
        PolicyVersion, models.CASCADE, related_name="negotiated_drugs", verbose_name=_("version")
    )
    code = models.CharField(_("national list code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("negotiated drug")
        verbose_name_plural = _("negotiated drugs")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="policy_negotiated_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SettlementUsage(models.Model):
    """What one settlement added to its person's year-to-date counters (quotas, deductible)."""

    settlement = models.ForeignKey(
        Settlement, models.CASCADE, related_name="policy_usages", verbose_name=_("settlement")
    )
    key = models.CharField(_("counter"), max_length=60)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("settlement usage")
        verbose_name_plural = _("settlement usages")
        constraints = [
            models.UniqueConstraint(fields=["settlement", "key"], name="policy_usage_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.settlement_id} {self.key} {self.amount}"


class RefundRun(models.Model):
    """政策性差额退费: one retroactive policy version applied to the settlements of a period."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Computing")
        FAILED = "failed", _("Failed")
        COMPUTED = "computed", _("Computed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    version = models.ForeignKey(
        PolicyVersion, models.PROTECT, related_name="refund_runs", verbose_name=_("new policy")
    )
    period_from = models.DateField(_("settlements from"))
    period_to = models.DateField(_("settlements to (exclusive)"))
    institution = models.ForeignKey(
        Institution,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("only at institution"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.COMPUTED
    )
    settlement_count = models.PositiveIntegerField(_("settlements recomputed"), default=0)
    refund_total = models.DecimalField(_("refund total"), default=0, **MONEY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("computed by"),
    )
    created_at = models.DateTimeField(_("computed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    error = models.TextField(_("why it failed"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)

    class Meta:
        verbose_name = _("refund run")
        verbose_name_plural = _("refund runs")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_to__gt=F("period_from")), name="refund_run_period"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.version.code} {self.period_from}–{self.period_to}"


class RefundLine(models.Model):
    """One settlement's amounts as paid and as the new policy would pay them."""

    run = models.ForeignKey(RefundRun, models.CASCADE, related_name="lines", verbose_name=_("run"))
    settlement = models.ForeignKey(
        Settlement, models.PROTECT, related_name="+", verbose_name=_("settlement")
    )
    institution = models.ForeignKey(
        Institution, models.PROTECT, related_name="+", verbose_name=_("institution")
    )
    paid_hifp_pay = models.DecimalField(_("fund paid"), **MONEY)
    paid_personal = models.DecimalField(_("person paid"), **MONEY)
    prior_version = models.CharField(_("prior policy"), max_length=40, blank=True)
    old_hifp_pay = models.DecimalField(_("fund under prior policy"), **MONEY)
    old_personal = models.DecimalField(_("person under prior policy"), **MONEY)
    new_hifp_pay = models.DecimalField(_("fund under new policy"), **MONEY)
    new_personal = models.DecimalField(_("person under new policy"), **MONEY)
    difference = models.DecimalField(_("person pays less by"), **MONEY)
    refund_amount = models.DecimalField(_("refund to person"), **MONEY)
    steps = models.JSONField(_("steps"), default=list)

    class Meta:
        verbose_name = _("refund line")
        verbose_name_plural = _("refund lines")
        ordering = ["institution_id", "settlement_id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "settlement"], name="refund_line_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.settlement_id} {self.refund_amount}"
