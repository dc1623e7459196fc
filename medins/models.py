"""The registry: divisions, institutions, practitioners, insured persons, catalog, ICD-10."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# hosp_lv national code -> level 1/2/3 (11 无等级 has none); see interchange.md.
HOSPITAL_LEVEL_BY_CODE = {
    **dict.fromkeys(("01", "02", "03", "04", "12"), 3),
    **dict.fromkeys(("05", "06", "07", "13"), 2),
    **dict.fromkeys(("08", "09", "10", "14"), 1),
}


class Division(models.Model):
    """行政区划: province → city → county (6 digits) → town (9) → village (12)."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("Province")
        CITY = 2, _("City")
        COUNTY = 3, _("County")
        TOWN = 4, _("Town")
        VILLAGE = 5, _("Village")

    code = models.CharField(_("division code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent division"),
    )

    class Meta:
        verbose_name = _("administrative division")
        verbose_name_plural = _("administrative divisions")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Institution(models.Model):
    """定点医药机构: a designated hospital or pharmacy."""

    class Kind(models.TextChoices):
        MEDICAL = "1", _("Medical institution")
        PHARMACY = "2", _("Retail pharmacy")

    class HospitalGrade(models.TextChoices):
        SPECIAL_3 = "01", _("Grade 3 special")
        A_3 = "02", _("Grade 3A")
        B_3 = "03", _("Grade 3B")
        C_3 = "04", _("Grade 3C")
        A_2 = "05", _("Grade 2A")
        B_2 = "06", _("Grade 2B")
        C_2 = "07", _("Grade 2C")
        A_1 = "08", _("Grade 1A")
        B_1 = "09", _("Grade 1B")
        C_1 = "10", _("Grade 1C")
        UNGRADED = "11", _("Ungraded")
        UNRATED_3 = "12", _("Level 3 unrated")
        UNRATED_2 = "13", _("Level 2 unrated")
        UNRATED_1 = "14", _("Level 1 unrated")

    code = models.CharField(_("institution code"), max_length=20, primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=1, choices=Kind.choices)
    hospital_grade = models.CharField(
        _("hospital grade"), max_length=2, choices=HospitalGrade.choices, blank=True
    )
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    beds = models.PositiveIntegerField(_("licensed beds"), default=0)

    class Meta:
        verbose_name = _("designated institution")
        verbose_name_plural = _("designated institutions")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def level(self) -> int | None:
        """1, 2 or 3 from the national grade code; None when ungraded."""
        return HOSPITAL_LEVEL_BY_CODE.get(self.hospital_grade)


class Designation(models.Model):
    """One period of an institution's designation status (active, suspended, terminated)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        TERMINATED = "terminated", _("Terminated")

    institution = models.ForeignKey(
        Institution, models.CASCADE, related_name="designations", verbose_name=_("institution")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to (exclusive)"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("designation period")
        verbose_name_plural = _("designation periods")
        ordering = ["institution", "effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gt=models.F("effective_from")),
                name="designation_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.institution_id} {self.status} {self.effective_from}–{self.effective_to or ''}"
        )


class Practitioner(models.Model):
    """医保医师/药师 with an annual 12-point credit score (see PointDeduction)."""

    class Kind(models.TextChoices):
        PHYSICIAN = "1", _("Physician")
        NURSE = "2", _("Nurse")
        PHARMACIST = "3", _("Pharmacist")

    code = models.CharField(_("practitioner code"), max_length=30, primary_key=True)
    name = models.CharField(_("name"), max_length=50)
    institution = models.ForeignKey(
        Institution, models.PROTECT, related_name="practitioners", verbose_name=_("institution")
    )
    department_code = models.CharField(_("department code"), max_length=20, blank=True)
    kind = models.CharField(_("type"), max_length=1, choices=Kind.choices)

    class Meta:
        verbose_name = _("practitioner")
        verbose_name_plural = _("practitioners")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


ANNUAL_POINTS = 12


class PointDeduction(models.Model):
    """A deduction from a practitioner's annual 12-point score (医保医师记分)."""

    practitioner = models.ForeignKey(
        Practitioner,
        models.CASCADE,
        related_name="point_deductions",
        verbose_name=_("practitioner"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    points = models.PositiveSmallIntegerField(_("points deducted"))
    reason = models.CharField(_("reason"), max_length=500)
    deducted_at = models.DateTimeField(_("deducted at"))

    class Meta:
        verbose_name = _("point deduction")
        verbose_name_plural = _("point deductions")
        ordering = ["practitioner", "deducted_at"]
        constraints = [models.CheckConstraint(condition=Q(points__gt=0), name="deduction_positive")]

    def __str__(self) -> str:
        return f"{self.practitioner_id} {self.year} -{self.points}"


class Person(models.Model):
    """参保人: an insured person."""

    class Gender(models.TextChoices):
        MALE = "1", _("Male")
        FEMALE = "2", _("Female")
        UNSTATED = "9", _("Unstated")

    class InsuranceType(models.TextChoices):
        EMPLOYEE = "310", _("Employee basic medical insurance")
        RESIDENT = "390", _("Urban and rural resident basic medical insurance")

    psn_no = models.CharField(_("person number"), max_length=30, primary_key=True)
    certno = models.CharField(_("resident ID number"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    insurance_type = models.CharField(
        _("insurance type"), max_length=3, choices=InsuranceType.choices
    )
    person_type = models.CharField(_("person type"), max_length=10, blank=True)
    division_code = models.CharField(_("insured region"), max_length=12, db_index=True)

    class Meta:
        verbose_name = _("insured person")
        verbose_name_plural = _("insured persons")
        ordering = ["psn_no"]

    def __str__(self) -> str:
        return self.psn_no


class CatalogItem(models.Model):
    """One version of a 医保目录 entry with its limits (知识库); versions do not overlap."""

    code = models.CharField(_("national list code"), max_length=50, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    list_type = models.CharField(_("list type"), max_length=3)
    charge_type = models.CharField(_("charge item type"), max_length=2)
    charge_level = models.CharField(_("charge level"), max_length=2)
    price_cap = models.DecimalField(
        _("price cap"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    limit_gender = models.CharField(_("gender limit"), max_length=1, blank=True)
    limit_min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    limit_max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    limit_diagnosis_prefixes = models.CharField(
        _("indicated diagnoses (ICD-10 prefixes)"), max_length=500, blank=True
    )
    limit_inpatient_only = models.BooleanField(_("inpatient only"), default=False)
    limit_min_hospital_level = models.PositiveSmallIntegerField(
        _("lowest hospital level"), null=True, blank=True
    )
    max_pay_days = models.PositiveIntegerField(
        _("most paid days per course"), null=True, blank=True
    )
    max_daily_count = models.DecimalField(
        _("most units per day"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    max_supply_days = models.PositiveIntegerField(_("most supply days"), null=True, blank=True)
    repeat_window_days = models.PositiveIntegerField(
        _("repeat window (days)"), null=True, blank=True
    )
    includes_codes = models.TextField(_("included item codes"), blank=True)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to (exclusive)"), null=True, blank=True)

    class Meta:
        verbose_name = _("catalog item")
        verbose_name_plural = _("catalog items")
        ordering = ["code", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "effective_from"], name="catalog_version_unique"
            ),
            models.UniqueConstraint(
                fields=["code"], condition=Q(effective_to__isnull=True), name="catalog_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Icd10Category(models.Model):
    """ICD-10 category (3 characters) with its Chinese name and the knowledge-base limits."""

    code = models.CharField(_("category"), max_length=3, primary_key=True)
    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    chapter = models.PositiveSmallIntegerField(_("chapter"))
    only_gender = models.CharField(_("only for gender"), max_length=1, blank=True)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)

    class Meta:
        verbose_name = _("ICD-10 category")
        verbose_name_plural = _("ICD-10 categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    AUDITOR = "auditor", _("Auditor")
    SUPERVISOR = "supervisor", _("Audit supervisor")
    CLERK = "clerk", _("Station clerk")
    MANAGER = "manager", _("Service network manager")
    HOSPITAL_CLIENT = "hospital", _("Hospital API client")


class UserProfile(models.Model):
    """What a user is and what they may see: a region, a station or an institution."""

    user = models.OneToOneField(
        "auth.User", models.CASCADE, related_name="profile", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    # An auditor or manager sees the divisions whose code starts with this prefix
    # ("37" the province, "3701" Jinan, "370102" Lixia); empty means everywhere.
    region_code = models.CharField(_("region code prefix"), max_length=12, blank=True)
    station_code = models.CharField(_("service station"), max_length=30, blank=True)
    institution = models.ForeignKey(
        Institution,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("institution"),
    )

    class Meta:
        verbose_name = _("user profile")
        verbose_name_plural = _("user profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class RevealLog(models.Model):
    """Who saw which unmasked personal data, when: every reveal leaves one row."""

    user = models.ForeignKey("auth.User", models.PROTECT, verbose_name=_("user"))
    person = models.ForeignKey(Person, models.PROTECT, verbose_name=_("person"))
    fields = models.CharField(_("fields revealed"), max_length=100)
    context = models.CharField(_("where"), max_length=200, blank=True)
    revealed_at = models.DateTimeField(_("revealed at"))

    class Meta:
        verbose_name = _("personal data reveal")
        verbose_name_plural = _("personal data reveals")
        ordering = ["-revealed_at"]

    def __str__(self) -> str:
        return f"{self.user} → {self.person_id} {self.fields}"


# --- Hardening (issue 7): the append-only audit log and failed logins. ---


class AppendOnlyError(Exception):
    """A change to a row that may only ever be added: the audit log is never rewritten."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs: object) -> int:
        raise AppendOnlyError("Audit entries are append-only: they cannot be updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit entries are append-only: they cannot be deleted.")


class AuditEntry(models.Model):
    """One write by a user, an API client or the system; added, never changed or removed.

    The actor is copied as text (no foreign key), so deleting a user never touches the log;
    on PostgreSQL a trigger (migration 0004) rejects UPDATE and DELETE as well.
    """

    class ActorKind(models.TextChoices):
        USER = "user", _("User")
        API = "api", _("API client")
        ANONYMOUS = "anonymous", _("Anonymous")
        SYSTEM = "system", _("System")

    at = models.DateTimeField(_("at"), db_index=True)
    actor_kind = models.CharField(_("actor kind"), max_length=10, choices=ActorKind.choices)
    actor = models.CharField(_("actor"), max_length=150, db_index=True, blank=True)
    actor_id = models.BigIntegerField(_("user id"), null=True, blank=True)
    credential = models.CharField(_("credential"), max_length=100, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    method = models.CharField(_("HTTP method"), max_length=10, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    status_code = models.PositiveSmallIntegerField(_("status"), null=True, blank=True)
    target = models.CharField(_("object"), max_length=200, blank=True, db_index=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True, db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor or '-'} {self.action} {self.target}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit entries are append-only: they cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit entries are append-only: they cannot be deleted.")


class LoginFailure(models.Model):
    """A failed log-in; enough of them in a window lock the username or the address out."""

    username = models.CharField(_("username"), max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), db_index=True)

    class Meta:
        verbose_name = _("failed log-in")
        verbose_name_plural = _("failed log-ins")
        ordering = ["-failed_at"]
        indexes = [models.Index(fields=["ip_address", "failed_at"])]

    def __str__(self) -> str:
        return f"{self.username} {self.ip_address or '-'} {self.failed_at:%Y-%m-%d %H:%M}"
