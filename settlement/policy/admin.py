"""Admin of the settlement policy: drafts are edited here, published versions only revised."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from medins.admin.base import ReadOnlyInline, ViewOnlyAdmin
from medins.models import Role
from medins.selectors import role_of
from settlement.policy.models import (
    ChronicDiseaseQuota,
    DaySurgeryRate,
    NegotiatedDrug,
    PolicyScheme,
    PolicyVersion,
    RefundLine,
    RefundRun,
)
from settlement.policy.services import (
    PolicyEditError,
    policy_version_publish,
    policy_version_revise,
)


def _may_edit(request: HttpRequest, version: PolicyVersion | None) -> bool:
    """Administrators edit drafts; a published version never changes."""
    if role_of(request.user) != Role.ADMIN:
        return False
    return version is None or not version.is_published


class DraftInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: PolicyVersion | None = None) -> bool:
        return _may_edit(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: PolicyVersion | None = None) -> bool:
        return _may_edit(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: PolicyVersion | None = None) -> bool:
        return _may_edit(request, obj)


class SchemeInline(DraftInline):
    model = PolicyScheme
    fields = ["insutype", "med_type", "institution_level", "deductible", "deductible_basis"]
    fields += ["deductible_group", "fund_ratio", "annual_cap", "outpatient_quota"]
    fields += ["class_b_self_ratio", "personal_account", "negotiated_ratio", "chronic"]
    fields += ["radiotherapy_course_quota", "cross_region_filed_cut", "cross_region_unfiled_cut"]


class ChronicInline(DraftInline):
    model = ChronicDiseaseQuota
    fields = ["insutype", "code", "name", "icd_prefixes", "annual_quota", "fund_ratio"]


class DaySurgeryInline(DraftInline):
    model = DaySurgeryRate
    fields = ["insutype", "institution_level", "code", "name", "icd_prefixes", "fund_amount"]


class NegotiatedInline(DraftInline):
    model = NegotiatedDrug
    fields = ["code", "name"]


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "effective_from", "effective_to", "status", "created_by"]
    list_display += ["published_at"]
    list_filter = ["status"]
    search_fields = ["code", "title"]
    fields = ["code", "title", "document", "effective_from", "effective_to", "note"]
    fields += ["dialysis_icd_prefixes", "dialysis_no_class_b_from", "status", "based_on"]
    fields += ["created_by", "created_at", "published_by", "published_at"]
    readonly_fields = ["status", "based_on", "created_by", "created_at", "published_by"]
    readonly_fields += ["published_at"]
    inlines = [SchemeInline, ChronicInline, DaySurgeryInline, NegotiatedInline]
    actions = ["revise", "publish"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _may_edit(request, None)

    def has_change_permission(self, request: HttpRequest, obj: PolicyVersion | None = None) -> bool:
        return _may_edit(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: PolicyVersion | None = None) -> bool:
        return obj is not None and _may_edit(request, obj)

    def save_model(self, request: HttpRequest, obj: PolicyVersion, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Revise as a new draft version"))
    def revise(self, request: HttpRequest, queryset: QuerySet[PolicyVersion]) -> None:
        for version in queryset:
            code = _free_code(version.code)
            try:
                draft = policy_version_revise(
                    version=version,
                    author=request.user,
                    code=code,
                    title=version.title,
                    effective_from=version.effective_from,
                    effective_to=version.effective_to,
                )
            except PolicyEditError as error:
                self.message_user(request, str(error), messages.ERROR)
                continue
            self.message_user(
                request,
                _("Draft %(code)s created from %(base)s; edit it, then publish it.")
                % {"code": draft.code, "base": version.code},
            )

    @admin.action(description=_("Publish the selected drafts"))
    def publish(self, request: HttpRequest, queryset: QuerySet[PolicyVersion]) -> None:
        for version in queryset:
            try:
                policy_version_publish(version=version, user=request.user)
            except PolicyEditError as error:
                self.message_user(request, str(error), messages.ERROR)
                continue
            self.message_user(request, _("Published %(code)s.") % {"code": version.code})


def _free_code(code: str) -> str:
    """code-r2, code-r3 ...: the first revision code not yet taken."""
    base = code.split("-r")[0]
    number = 2
    while PolicyVersion.objects.filter(code=f"{base}-r{number}").exists():
        number += 1
    return f"{base}-r{number}"


class RefundLineInline(ReadOnlyInline):
    model = RefundLine
    fields = ["settlement", "institution", "prior_version", "old_personal", "new_personal"]
    fields += ["difference", "refund_amount"]
    show_change_link = False


@admin.register(RefundRun)
class RefundRunAdmin(ViewOnlyAdmin):
    list_display = ["pk", "version", "period_from", "period_to", "institution", "status"]
    list_display += ["settlement_count", "refund_total", "created_by", "decided_by"]
    list_filter = ["status"]
    inlines = [RefundLineInline]
