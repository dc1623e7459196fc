"""Admin for settlement data: looked at here, written only by the import and the API."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from medins.admin.base import ReadOnlyInline, ViewOnlyAdmin
from medins.icd10 import icd10_names
from medins.identity import name_mask
from settlement.models import BedCheck, Diagnosis, FeeLine, ImportBatch, Settlement


class DiagnosisInline(ReadOnlyInline):
    model = Diagnosis
    fields = ["rank", "code"]
    show_change_link = False


class FeeLineInline(ReadOnlyInline):
    """The first lines only; the link above the inline opens all of them in the fee-line list."""

    model = FeeLine
    fk_name = "settlement"
    fields = ["line_id", "occurred_at", "item_code", "charge_type", "quantity", "unit_price"]
    fields += ["amount", "supply_days", "practitioner_code"]


class BedCheckInline(ReadOnlyInline):
    model = BedCheck
    fields = ["check_id", "checked_at", "result", "note"]
    show_change_link = False


@admin.register(Settlement)
class SettlementAdmin(ViewOnlyAdmin):
    list_display = ["setl_id", "person", "masked_name", "institution", "medical_type"]
    list_display += ["begin_time", "end_time", "main_diagnosis", "total", "fund_paid"]
    list_display += ["is_reversal"]
    list_filter = ["medical_type", "insurance_type", "is_reversal"]
    search_fields = ["=setl_id", "=encounter_id", "=person__psn_no", "^institution__code"]
    list_select_related = ["person", "institution"]
    raw_id_fields = ["person", "institution"]
    readonly_fields = ["main_diagnosis_name", "all_fee_lines"]
    # Counting a table of millions for "N results" costs more than the page itself.
    show_full_result_count = False
    inlines = [DiagnosisInline, FeeLineInline, BedCheckInline]

    @admin.display(description=_("name"))
    def masked_name(self, settlement: Settlement) -> str:
        return name_mask(settlement.person.name)

    @admin.display(description=_("main diagnosis category"))
    def main_diagnosis_name(self, settlement: Settlement) -> str:
        names = icd10_names([settlement.main_diagnosis])
        return next(iter(names.values()), "-")

    @admin.display(description=_("fee lines"))
    def all_fee_lines(self, settlement: Settlement) -> str:
        url = reverse("admin:settlement_feeline_changelist")
        return format_html(
            '<a href="{}?settlement__exact={}">{}</a>',
            url,
            settlement.pk,
            _("All %(count)s fee lines of this settlement")
            % {"count": settlement.fee_lines.count()},
        )


@admin.register(FeeLine)
class FeeLineAdmin(ViewOnlyAdmin):
    list_display = ["line_id", "settlement_id", "person_id", "institution_id", "occurred_at"]
    list_display += ["item_code", "charge_type", "quantity", "unit_price", "amount"]
    list_filter = ["charge_type", "charge_level"]
    search_fields = ["=line_id", "=settlement__setl_id", "=encounter_id", "=item_code"]
    search_fields += ["=person__psn_no"]
    raw_id_fields = ["settlement", "person", "institution"]
    show_full_result_count = False


@admin.register(BedCheck)
class BedCheckAdmin(ViewOnlyAdmin):
    list_display = ["check_id", "settlement_id", "checked_at", "result", "note"]
    list_filter = ["result"]
    search_fields = ["=check_id", "=settlement__encounter_id"]
    raw_id_fields = ["settlement"]


@admin.register(ImportBatch)
class ImportBatchAdmin(ViewOnlyAdmin):
    list_display = ["id", "source", "status", "institution", "rows", "error_count"]
    list_display += ["created_at", "finished_at"]
    list_filter = ["status"]
    search_fields = ["source", "^institution__code"]
    list_select_related = ["institution"]

    @admin.display(description=_("rows"))
    def rows(self, batch: ImportBatch) -> int:
        return sum(count for count in (batch.row_counts or {}).values() if isinstance(count, int))


# The API's credentials and pre-checks (issue 5) register from their own module.
from settlement.api import admin as _api_admin  # noqa: E402, F401
