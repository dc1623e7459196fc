from django.contrib import admin, messages
from django.utils import timezone

from screening.models import Flag, RuleConfigVersion, ScreeningPartition, ScreeningRun, SubjectScore
from screening.services.config import RuleConfigError, rule_config_change


@admin.register(RuleConfigVersion)
class RuleConfigVersionAdmin(admin.ModelAdmin):
    """Versions are never edited: a change is a new version (the service closes the old one)."""

    list_display = ["rule_code", "enabled", "sev_deg", "effective_from", "effective_to", "author"]
    list_filter = ["rule_code", "enabled"]
    fields = ["rule_code", "enabled", "sev_deg", "thresholds", "effective_from", "note"]

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        try:
            saved = rule_config_change(
                rule_code=obj.rule_code,
                enabled=obj.enabled,
                sev_deg=obj.sev_deg,
                thresholds=obj.thresholds or {},
                effective_from=obj.effective_from or timezone.now(),
                author=request.user,
                note=obj.note,
            )
        except RuleConfigError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        obj.pk = saved.pk


class PartitionInline(admin.TabularInline):
    model = ScreeningPartition
    extra = 0
    can_delete = False
    readonly_fields = ["number", "psn_from", "psn_to", "status", "attempts", "counts", "timings"]
    fields = readonly_fields


@admin.register(ScreeningRun)
class ScreeningRunAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "kind",
        "window_start",
        "window_end",
        "status",
        "partitions_done",
        "partitions_total",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "kind"]
    readonly_fields = [field.name for field in ScreeningRun._meta.fields]
    inlines = [PartitionInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = [
        "flag_id",
        "rule_code",
        "sev_deg",
        "amount_at_risk",
        "fixmedins_code",
        "status",
        "triage_score",
        "detected_at",
    ]
    list_filter = ["rule_code", "sev_deg", "status"]
    search_fields = ["flag_id", "setl_id", "psn_no", "fixmedins_code"]
    readonly_fields = [field.name for field in Flag._meta.fields]
    show_full_result_count = False  # counting a million flags on every page is slow

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(SubjectScore)
class SubjectScoreAdmin(admin.ModelAdmin):
    list_display = ["run", "kind", "subject_code", "risk_score", "rank"]
    list_filter = ["kind"]
    search_fields = ["subject_code"]
    readonly_fields = ["run", "kind", "subject_code", "risk_score", "rank", "top_features"]

    def has_add_permission(self, request) -> bool:
        return False
