"""The service network: stations, villages, the item catalogue, the calendar, 集采 offers."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from medins.models import Division


class StationLevel(models.TextChoices):
    """The five levels of the 市-县-镇-村 service network."""

    CITY_HALL = "hall", _("Medical insurance service hall (city or county)")
    TOWN = "town", _("Town medical security service station")
    HOSPITAL = "hospital", _("Hospital medical insurance workstation")
    VILLAGE = "village", _("Village medical insurance service point")
    PARTNER = "partner", _("Pharmacy, enterprise or college service point")


class Channel(models.TextChoices):
    WINDOW = "window", _("Window")
    ONLINE = "online", _("Online")
    MOBILE = "mobile", _("Mobile")
    PROXY = "proxy", _("Proxy handling")


class ServiceItem(models.Model):
    """政务服务事项: one item of the catalogue with its materials and legal time limit."""

    class Flow(models.TextChoices):
        PLAIN = "plain", _("Plain item")
        CHRONIC = "chronic", _("Outpatient chronic/special disease certification")
        FILING = "filing", _("Cross-region medical filing")
        REIMBURSEMENT = "reimbursement", _("Manual reimbursement")

    code = models.CharField(_("item code"), max_length=30, primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    materials = models.JSONField(_("required materials"), default=list, blank=True)
    time_limit_days = models.PositiveSmallIntegerField(_("legal time limit (working days)"))
    instant = models.BooleanField(_("completed on the spot"), default=False)
    levels = models.JSONField(_("station levels that may handle it"), default=list)
    channels = models.JSONField(_("channels"), default=list)
    flow = models.CharField(_("flow"), max_length=16, choices=Flow.choices, default=Flow.PLAIN)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Holiday(models.Model):
    """A day off that would be a working day, or a make-up working day on a weekend (调休)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday")
        WORKDAY = "workday", _("Make-up working day")

    day = models.DateField(_("day"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("holiday calendar")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.name} ({self.get_kind_display()})"


class Village(models.Model):
    """A village or community (村/社区) with its position, for the coverage figures."""

    code = models.CharField(_("village code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    county = models.ForeignKey(
        Division, models.PROTECT, related_name="villages", verbose_name=_("county")
    )
    town_name = models.CharField(_("town"), max_length=100)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)

    class Meta:
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Station(models.Model):
    """A service station of the network, where clerks handle requests."""

    code = models.CharField(_("station code"), max_length=30, primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=10, choices=StationLevel.choices)
    county = models.ForeignKey(
        Division, models.PROTECT, related_name="stations", verbose_name=_("county")
    )
    address = models.CharField(_("address"), max_length=300)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    hours = models.CharField(_("opening hours"), max_length=100)
    staff_count = models.PositiveSmallIntegerField(_("staff"), default=1)
    contact_name = models.CharField(_("contact person (医保小管家)"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    items = models.ManyToManyField(
        ServiceItem, related_name="stations", blank=True, verbose_name=_("items it may handle")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service station")
        verbose_name_plural = _("service stations")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CentralPurchaseOffer(models.Model):
    """A pharmacy selling a centrally purchased (集采) drug, for the public search."""

    class Category(models.TextChoices):
        CHEMICAL = "chemical", _("Chemical drug")
        CHINESE = "chinese", _("Chinese patent medicine")
        BIOLOGICAL = "biological", _("Biological product")
        CONSUMABLE = "consumable", _("Medical consumable")

    pharmacy = models.ForeignKey(
        "medins.Institution", models.CASCADE, related_name="vbp_offers", verbose_name=_("pharmacy")
    )
    drug_name = models.CharField(_("drug"), max_length=200)
    specification = models.CharField(_("specification"), max_length=100, blank=True)
    category = models.CharField(_("type"), max_length=12, choices=Category.choices)
    procurement_round = models.CharField(_("procurement round"), max_length=50)
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("centrally purchased drug offer")
        verbose_name_plural = _("centrally purchased drug offers")
        ordering = ["pharmacy", "drug_name"]
        constraints = [
            models.UniqueConstraint(fields=["pharmacy", "drug_name"], name="vbp_offer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.pharmacy_id} {self.drug_name}"
