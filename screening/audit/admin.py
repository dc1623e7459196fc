"""The audit records in the Django admin, to look at only: every write goes through the
services, which check roles and record history."""

from __future__ import annotations

from django.contrib import admin

from medins.admin.base import ReadOnlyInline, ViewOnlyAdmin
from screening.audit.models import (
    BedCheckTask,
    Case,
    CaseTransition,
    Dismissal,
    Outcome,
    WhistleblowerReport,
)


class CaseTransitionInline(ReadOnlyInline):
    model = CaseTransition
    fields = ("at", "by", "name", "source", "target", "note")
    show_change_link = False


class OutcomeInline(ReadOnlyInline):
    model = Outcome
    fields = ("kind", "amount", "due_date", "paid_at", "period_from", "period_to", "points")
    show_change_link = False


@admin.register(Case)
class CaseAdmin(ViewOnlyAdmin):
    list_display = ("pk", "title", "state", "assignee", "deadline", "division_code", "created_at")
    list_filter = ("state", "source", "subject_kind")
    search_fields = ("title", "subject_code")
    list_select_related = ("assignee",)
    inlines = (OutcomeInline, CaseTransitionInline)


@admin.register(BedCheckTask)
class BedCheckTaskAdmin(ViewOnlyAdmin):
    list_display = ("pk", "settlement_id", "case_id", "issued_at", "result", "checked_at")
    list_filter = ("result",)


@admin.register(Dismissal)
class DismissalAdmin(ViewOnlyAdmin):
    list_display = ("flag_id", "reason", "by", "at")
    list_filter = ("reason",)


@admin.register(WhistleblowerReport)
class WhistleblowerReportAdmin(ViewOnlyAdmin):
    list_display = ("pk", "institution", "case_id", "received_at", "reward_status")
    list_filter = ("reward_status",)
    # The reporter's name and phone stay out of the admin: only the report page shows them.
    exclude = ("reporter_name", "reporter_phone")
