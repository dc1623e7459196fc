"""Admin for API credentials (issue, rotate, revoke; the key is shown once) and pre-checks."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medins.admin.base import ViewOnlyAdmin
from settlement.api.credentials import (
    api_credential_forget,
    api_credential_issue,
    api_credential_revoke,
    api_credential_rotate,
)
from settlement.models import ApiCredential, PrecheckViolation

SHOWN_ONCE = _(
    "API key for %(institution)s (%(name)s): %(key)s — copy it now; it is not stored and "
    "will not be shown again."
)


def _show_key(request: HttpRequest, issued: object) -> None:
    credential = issued.credential
    messages.warning(
        request,
        SHOWN_ONCE
        % {"institution": credential.institution, "name": credential.name, "key": issued.key},
    )


_SHOWN = ("institution",)
_READ_ONLY = ("institution", "prefix", "created_at", "revoked_at", "replaced_by", "last_used_at")


@admin.register(ApiCredential)
class ApiCredentialAdmin(admin.ModelAdmin):
    list_display = ["prefix", "institution", "name", "rate", "created_at", "revoked_at"]
    list_display += ["last_used_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["=prefix", "^institution__code", "name"]
    list_select_related = ["institution"]
    raw_id_fields = ["institution"]
    actions = ["rotate", "revoke"]

    def get_fields(self, request: HttpRequest, obj: ApiCredential | None = None) -> list[str]:
        if obj is None:
            return ["institution", "name", "rate"]
        return [*_SHOWN, "name", "rate", *_READ_ONLY[1:]]

    def get_readonly_fields(
        self, request: HttpRequest, obj: ApiCredential | None = None
    ) -> list[str]:
        if obj is None:
            return []
        return list(_READ_ONLY)

    def save_model(
        self, request: HttpRequest, obj: ApiCredential, form: ModelForm, change: bool
    ) -> None:
        if change:
            obj.save(update_fields=["name", "rate"])
            api_credential_forget(credential=obj)  # the new rate counts from the next request
            return
        issued = api_credential_issue(institution=obj.institution, name=obj.name, rate=obj.rate)
        obj.pk = issued.credential.pk
        obj.prefix = issued.credential.prefix
        obj.key_hash = issued.credential.key_hash
        _show_key(request, issued)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # revoke instead: the record of who had access stays

    @admin.action(description=_("Rotate: issue a new key and revoke the old one"))
    def rotate(self, request: HttpRequest, queryset: QuerySet[ApiCredential]) -> None:
        for credential in queryset.filter(revoked_at__isnull=True):
            _show_key(request, api_credential_rotate(credential=credential, at=timezone.now()))

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiCredential]) -> None:
        for credential in queryset:
            api_credential_revoke(credential=credential, at=timezone.now())
        messages.success(request, _("The selected keys are revoked."))


@admin.register(PrecheckViolation)
class PrecheckViolationAdmin(ViewOnlyAdmin):
    """Pre-check warnings and the hospitals' answers (3103), for auditors to look through."""

    list_display = ["jr_id", "institution", "encounter", "rule_code", "sev_deg", "amount"]
    list_display += ["answer_way", "answer_reason", "checked_at"]
    list_filter = ["rule_code", "sev_deg", "answer__way"]
    search_fields = ["=jr_id", "=precheck__encounter_id", "^precheck__institution__code"]
    list_select_related = ["precheck", "precheck__institution", "answer"]

    @admin.display(description=_("institution"))
    def institution(self, violation: PrecheckViolation) -> object:
        return violation.precheck.institution

    @admin.display(description=_("encounter ID"))
    def encounter(self, violation: PrecheckViolation) -> str:
        return violation.precheck.encounter_id

    @admin.display(description=_("checked at"))
    def checked_at(self, violation: PrecheckViolation) -> object:
        return violation.precheck.checked_at

    @admin.display(description=_("disposal"))
    def answer_way(self, violation: PrecheckViolation) -> str:
        answer = getattr(violation, "answer", None)
        return answer.get_way_display() if answer else "—"

    @admin.display(description=_("reason"))
    def answer_reason(self, violation: PrecheckViolation) -> str:
        answer = getattr(violation, "answer", None)
        return answer.reason if answer else ""
