"""个人信息授权: data categories, a person's grants to third parties, and every use of them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from medins.models import Person


class DataCategory(models.Model):
    """A category of personal data a third party may be granted, with its sensitivity."""

    class Sensitivity(models.IntegerChoices):
        GENERAL = 1, _("General")
        SENSITIVE = 2, _("Sensitive")
        HIGHLY_SENSITIVE = 3, _("Highly sensitive")

    code = models.CharField(_("category code"), max_length=20, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    sensitivity = models.PositiveSmallIntegerField(_("sensitivity"), choices=Sensitivity.choices)

    class Meta:
        verbose_name = _("personal data category")
        verbose_name_plural = _("personal data categories")
        ordering = ["sensitivity", "code"]

    def __str__(self) -> str:
        return self.name


class ThirdParty(models.Model):
    """A named organisation that may query personal data within a person's grant."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    # Only the SHA-256 of the API token is kept; the token is shown once when issued.
    token_sha256 = models.CharField(_("token digest"), max_length=64, unique=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("third party")
        verbose_name_plural = _("third parties")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_authenticated(self) -> bool:  # DRF treats request.user as a user
        return True


class ConsentGrant(models.Model):
    """A person's grant to a third party: once, for N queries, or until a date; revocable."""

    class Mode(models.TextChoices):
        ONCE = "once", _("Once")
        COUNT = "count", _("A number of queries")
        UNTIL = "until", _("Until a date")

    person = models.ForeignKey(
        Person, models.PROTECT, related_name="consent_grants", verbose_name=_("person")
    )
    third_party = models.ForeignKey(
        ThirdParty, models.PROTECT, related_name="grants", verbose_name=_("third party")
    )
    categories = models.ManyToManyField(DataCategory, verbose_name=_("data categories"))
    mode = models.CharField(_("mode"), max_length=5, choices=Mode.choices)
    max_uses = models.PositiveIntegerField(_("most queries"), null=True, blank=True)
    uses = models.PositiveIntegerField(_("queries used"), default=0)
    valid_until = models.DateField(_("valid until (inclusive)"), null=True, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200)
    granted_at = models.DateTimeField(_("granted at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        verbose_name = _("consent grant")
        verbose_name_plural = _("consent grants")
        ordering = ["-granted_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(mode="count") | Q(max_uses__gte=1), name="grant_count_has_max"
            ),
            models.CheckConstraint(
                condition=~Q(mode="until") | Q(valid_until__isnull=False),
                name="grant_until_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.third_party}"


class ConsentUse(models.Model):
    """One query by a third party about a person: answered or refused, always logged."""

    third_party = models.ForeignKey(
        ThirdParty, models.PROTECT, related_name="uses", verbose_name=_("third party")
    )
    person = models.ForeignKey(
        Person, models.PROTECT, related_name="consent_uses", verbose_name=_("person")
    )
    category = models.CharField(_("data category"), max_length=20)
    grant = models.ForeignKey(
        ConsentGrant,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="use_log",
        verbose_name=_("grant"),
    )
    allowed = models.BooleanField(_("answered"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("personal data use")
        verbose_name_plural = _("personal data uses")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.third_party} {self.person_id} {self.category}"
