"""Admin for institutions and their designation periods, practitioners and their points."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medins import models, services
from medins.admin.base import ReadOnlyInline


class DesignationInline(ReadOnlyInline):
    model = models.Designation
    fields = ["status", "effective_from", "effective_to", "reason", "recorded_at"]


class PractitionerInline(ReadOnlyInline):
    model = models.Practitioner
    fields = ["code", "name", "department_code", "kind"]


def _status_today(institution_ref: str = "pk") -> Subquery:
    today = timezone.localdate()
    covering = models.Designation.objects.filter(
        Q(effective_to__isnull=True) | Q(effective_to__gt=today),
        institution=OuterRef(institution_ref),
        effective_from__lte=today,
    )
    return Subquery(covering.values("status")[:1])


@admin.register(models.Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "kind",
        "hospital_grade",
        "level",
        "division_code",
        "beds",
        "designation_today",
    ]
    list_filter = ["kind", "hospital_grade"]
    search_fields = ["^code", "name", "^division_code"]
    readonly_fields = ["level", "designation_today"]
    inlines = [DesignationInline, PractitionerInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(status_today=_status_today())

    @admin.display(description=_("hospital level"))
    def level(self, institution: models.Institution) -> int | str:
        return institution.level or "-"

    @admin.display(description=_("designation today"))
    def designation_today(self, institution: models.Institution) -> str:
        status = getattr(institution, "status_today", None) or models.Designation.Status.ACTIVE
        return models.Designation.Status(status).label


class DesignationForm(forms.ModelForm):
    class Meta:
        model = models.Designation
        fields = ["institution", "status", "effective_from", "effective_to", "reason"]

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("status") and cleaned.get("effective_from"):
            try:
                services.designation_check(
                    status=cleaned["status"],
                    effective_from=cleaned["effective_from"],
                    effective_to=cleaned.get("effective_to"),
                )
            except services.RegistryError as error:
                raise forms.ValidationError(str(error)) from error
        return cleaned


@admin.register(models.Designation)
class DesignationAdmin(admin.ModelAdmin):
    """A new period trims or splits the ones it overlaps (designation_set); none is edited."""

    form = DesignationForm
    list_display = [
        "institution",
        "status",
        "effective_from",
        "effective_to",
        "reason",
        "recorded_at",
    ]
    list_filter = ["status"]
    search_fields = ["^institution__code", "institution__name"]
    raw_id_fields = ["institution"]
    list_select_related = ["institution"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        saved = services.designation_set(
            institution=obj.institution,
            status=obj.status,
            effective_from=obj.effective_from,
            effective_to=obj.effective_to,
            reason=obj.reason,
            at=timezone.now(),
        )
        obj.pk = saved.pk


class PointDeductionInline(ReadOnlyInline):
    model = models.PointDeduction
    fields = ["year", "points", "reason", "deducted_at"]


@admin.register(models.Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "institution", "department_code", "kind", "points_left"]
    list_filter = ["kind"]
    search_fields = ["^code", "name", "^institution__code"]
    raw_id_fields = ["institution"]
    list_select_related = ["institution"]
    readonly_fields = ["points_left"]
    inlines = [PointDeductionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        year_total = (
            models.PointDeduction.objects.filter(
                practitioner=OuterRef("pk"), year=timezone.localdate().year
            )
            .values("practitioner")
            .annotate(total=Sum("points"))
            .values("total")
        )
        deducted = Coalesce(Subquery(year_total, output_field=IntegerField()), 0)
        return super().get_queryset(request).annotate(points_deducted=deducted)

    @admin.display(description=_("points left this year"))
    def points_left(self, practitioner: models.Practitioner) -> int:
        return max(0, models.ANNUAL_POINTS - getattr(practitioner, "points_deducted", 0))


class PointDeductionForm(forms.ModelForm):
    class Meta:
        model = models.PointDeduction
        fields = ["practitioner", "points", "reason"]


@admin.register(models.PointDeduction)
class PointDeductionAdmin(admin.ModelAdmin):
    """Deductions are recorded through points_deduct, dated now; the ledger is never edited."""

    form = PointDeductionForm
    list_display = ["practitioner", "year", "points", "reason", "deducted_at"]
    list_filter = ["year"]
    search_fields = ["^practitioner__code", "practitioner__name"]
    raw_id_fields = ["practitioner"]
    list_select_related = ["practitioner"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        saved = services.points_deduct(
            practitioner=obj.practitioner, points=obj.points, reason=obj.reason, at=timezone.now()
        )
        obj.pk = saved.pk
