"""Admin for insured persons (masked in lists, reveal logged), users' profiles and reveals."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medins import models
from medins.admin.base import ViewOnlyAdmin
from medins.identity import InvalidCertno, certno_mask, certno_validate, name_mask
from medins.reveal import RevealRefused, person_reveal


class PersonForm(forms.ModelForm):
    class Meta:
        model = models.Person
        fields = [
            "psn_no",
            "certno",
            "name",
            "gender",
            "birth_date",
            "insurance_type",
            "person_type",
            "division_code",
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("certno"):
            try:
                cleaned["certno"] = certno_validate(
                    cleaned["certno"],
                    gender=cleaned.get("gender"),
                    birth_date=cleaned.get("birth_date"),
                )
            except InvalidCertno as error:
                self.add_error(
                    "certno", _("Invalid resident ID number: %(reason)s") % {"reason": error}
                )
        return cleaned


@admin.register(models.Person)
class PersonAdmin(admin.ModelAdmin):
    """Lists mask the ID number and name; opening a person is a logged reveal."""

    form = PersonForm
    list_display = [
        "psn_no",
        "masked_certno",
        "masked_name",
        "gender",
        "birth_date",
        "insurance_type",
        "division_code",
    ]
    list_filter = ["gender", "insurance_type"]
    search_fields = ["=psn_no", "=certno", "^division_code"]

    @admin.display(description=_("resident ID number"))
    def masked_certno(self, person: models.Person) -> str:
        return certno_mask(person.certno)

    @admin.display(description=_("name"))
    def masked_name(self, person: models.Person) -> str:
        return name_mask(person.name)

    def change_view(self, request, object_id, form_url="", extra_context=None) -> HttpResponse:
        person = self.get_object(request, object_id)
        if request.method == "GET" and person is not None:
            try:
                person_reveal(
                    user=request.user,
                    person=person,
                    fields=["certno", "name"],
                    context=request.path,
                    at=timezone.now(),
                )
            except RevealRefused as refusal:
                raise PermissionDenied(str(refusal)) from refusal
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(models.UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "region_code", "station_code", "institution"]
    list_filter = ["role"]
    search_fields = ["user__username", "^region_code", "^institution__code"]
    raw_id_fields = ["user", "institution"]
    list_select_related = ["user", "institution"]


@admin.register(models.RevealLog)
class RevealLogAdmin(ViewOnlyAdmin):
    list_display = ["revealed_at", "user", "person", "fields", "context"]
    search_fields = ["=person__psn_no", "user__username"]
    date_hierarchy = "revealed_at"
    list_select_related = ["user", "person"]
