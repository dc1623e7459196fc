"""Administration of the network, the catalogue and the holiday calendar; read-only records."""

from __future__ import annotations

from django.contrib import admin

from services import models


@admin.register(models.Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("day", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "day"


@admin.register(models.ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "time_limit_days", "instant", "flow", "active")
    list_filter = ("flow", "instant", "active")
    search_fields = ("code", "name")


@admin.register(models.Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "county", "contact_name", "active")
    list_filter = ("level", "active")
    search_fields = ("code", "name", "address")
    raw_id_fields = ("county",)
    filter_horizontal = ("items",)


@admin.register(models.Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "town_name", "county")
    search_fields = ("code", "name")
    raw_id_fields = ("county",)


@admin.register(models.CentralPurchaseOffer)
class CentralPurchaseOfferAdmin(admin.ModelAdmin):
    list_display = ("pharmacy", "drug_name", "category", "procurement_round", "price")
    list_filter = ("category",)
    raw_id_fields = ("pharmacy",)


@admin.register(models.DataCategory)
class DataCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "sensitivity")


class ReadOnly(admin.ModelAdmin):
    """Records written by the window's services only: viewable, never edited here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.ThirdParty)
class ThirdPartyAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "active")
    readonly_fields = ("token_sha256",)

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # tokens are issued by services.actions.consent.third_party_register


@admin.register(models.ServiceRequest)
class ServiceRequestAdmin(ReadOnly):
    list_display = ("number", "item", "station", "status", "due_date", "rating")
    list_filter = ("status", "item")
    search_fields = ("number", "person__psn_no")


for model in (
    models.ChronicCertification,
    models.CrossRegionFiling,
    models.Complaint,
    models.Notification,
    models.ConsentGrant,
    models.ConsentUse,
):
    admin.site.register(model, ReadOnly)
