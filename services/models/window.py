"""One-window requests, their history and documents, and the entitlements flows create."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from medins.models import Person
from services.models.network import Channel, ServiceItem, Station


class ServiceRequest(models.Model):
    """办件: one request of a person for an item at a station, from start to close."""

    class Status(models.TextChoices):
        NEW = "new", _("Awaiting acceptance")
        ACCEPTED = "accepted", _("Accepted, under review")
        EXPERT = "expert", _("Awaiting expert review")
        FIRST_REVIEWED = "first_reviewed", _("First review passed, awaiting second review")
        DONE = "done", _("Completed")
        RETURNED = "returned", _("Returned for missing materials")
        REFUSED = "refused", _("Not accepted")

    class Outcome(models.TextChoices):
        APPROVED = "approved", _("Approved")
        DENIED = "denied", _("Denied")

    OPEN = (Status.NEW, Status.ACCEPTED, Status.EXPERT, Status.FIRST_REVIEWED)
    # The moves the model allows: (from, action) -> to. Services decide who may make them.
    MOVES = {
        (Status.NEW, "accept"): Status.ACCEPTED,
        (Status.NEW, "complete"): Status.DONE,  # instant items: accepted and closed at once
        (Status.NEW, "return"): Status.RETURNED,
        (Status.NEW, "refuse"): Status.REFUSED,
        (Status.RETURNED, "resubmit"): Status.NEW,
        (Status.ACCEPTED, "review"): Status.DONE,
        (Status.ACCEPTED, "to_expert"): Status.EXPERT,
        (Status.ACCEPTED, "first_review"): Status.FIRST_REVIEWED,
        (Status.EXPERT, "expert_decide"): Status.DONE,
        (Status.FIRST_REVIEWED, "second_review"): Status.DONE,
    }

    number = models.CharField(_("request number"), max_length=30, unique=True)
    item = models.ForeignKey(
        ServiceItem, models.PROTECT, related_name="requests", verbose_name=_("item")
    )
    person = models.ForeignKey(
        Person, models.PROTECT, related_name="service_requests", verbose_name=_("person")
    )
    station = models.ForeignKey(
        Station, models.PROTECT, related_name="requests", verbose_name=_("station")
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW
    )
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices, blank=True)
    materials_received = models.JSONField(_("materials received"), default=list, blank=True)
    missing_materials = models.JSONField(_("missing materials"), default=list, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    proxy_name = models.CharField(_("acting for the person (name)"), max_length=50, blank=True)
    proxy_certno = models.CharField(_("proxy's ID number"), max_length=18, blank=True)
    proxy_relation = models.CharField(_("relation to the person"), max_length=50, blank=True)
    phone = models.CharField(_("phone for notices"), max_length=20, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("started by")
    )
    created_at = models.DateTimeField(_("started at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    settlement = models.ForeignKey(
        "settlement.Settlement",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("settlement created"),
    )
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.CharField(_("rating comment"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["station", "status"], name="request_station_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="request_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def next_status(self, action: str) -> str | None:
        """The status the action leads to from here, or None when it is not a legal move."""
        return self.MOVES.get((self.status, action))

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class RequestEvent(models.Model):
    """One step of a request's history: who did what, for whom, when."""

    class Action(models.TextChoices):
        START = "start", _("Started")
        ACCEPT = "accept", _("Accepted")
        COMPLETE = "complete", _("Completed on the spot")
        RETURN = "return", _("Returned for correction")
        REFUSE = "refuse", _("Not accepted")
        RESUBMIT = "resubmit", _("Materials brought")
        REVIEW = "review", _("Reviewed")
        TO_EXPERT = "to_expert", _("Passed to expert review")
        FIRST_REVIEW = "first_review", _("First review passed")
        EXPERT_DECIDE = "expert_decide", _("Expert decision")
        SECOND_REVIEW = "second_review", _("Second review")

    request = models.ForeignKey(
        ServiceRequest, models.CASCADE, related_name="events", verbose_name=_("request")
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_status = models.CharField(
        _("from"), max_length=16, blank=True, choices=ServiceRequest.Status.choices
    )
    to_status = models.CharField(_("to"), max_length=16, choices=ServiceRequest.Status.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, verbose_name=_("by"))
    acting_for = models.CharField(_("acting for"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=1000, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("request event")
        verbose_name_plural = _("request events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.action}"


class RequestDocument(models.Model):
    """A scanned document uploaded for a request, stored under MEDIA_ROOT with its checksum."""

    request = models.ForeignKey(
        ServiceRequest, models.CASCADE, related_name="documents", verbose_name=_("request")
    )
    file = models.FileField(_("file"), upload_to="services/documents/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("request document")
        verbose_name_plural = _("request documents")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class ChronicCertification(models.Model):
    """门诊慢特病认定: a person's certified disease, valid over [valid_from, valid_to)."""

    person = models.ForeignKey(
        Person, models.PROTECT, related_name="chronic_certifications", verbose_name=_("person")
    )
    disease_code = models.CharField(_("disease code"), max_length=30)
    disease_name = models.CharField(_("disease"), max_length=100)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to (exclusive)"), null=True, blank=True)
    request = models.OneToOneField(
        ServiceRequest,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="certification",
        verbose_name=_("request"),
    )
    expert = models.CharField(_("expert panel"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("chronic disease certification")
        verbose_name_plural = _("chronic disease certifications")
        ordering = ["person", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="certification_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.disease_code}"


class CrossRegionFiling(models.Model):
    """异地就医备案: a person filed to be treated outside the insured region."""

    class Kind(models.TextChoices):
        RESIDENT = "resident", _("Long-term residence elsewhere")
        TEMPORARY = "temporary", _("Temporary stay elsewhere")
        REFERRAL = "referral", _("Referral elsewhere")

    person = models.ForeignKey(
        Person, models.PROTECT, related_name="cross_region_filings", verbose_name=_("person")
    )
    kind = models.CharField(_("filing type"), max_length=10, choices=Kind.choices)
    destination = models.CharField(_("destination"), max_length=100)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to (exclusive)"), null=True, blank=True)
    request = models.OneToOneField(
        ServiceRequest,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="filing",
        verbose_name=_("request"),
    )

    class Meta:
        verbose_name = _("cross-region filing")
        verbose_name_plural = _("cross-region filings")
        ordering = ["person", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="filing_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.destination}"
