"""Admin for reference data: divisions, the catalog with its versions, ICD-10 categories."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from medins import models


@admin.register(models.Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["^code", "name"]
    raw_id_fields = ["parent"]
    list_select_related = ["parent"]


@admin.register(models.CatalogItem)
class CatalogItemAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "list_type",
        "charge_type",
        "charge_level",
        "price_cap",
        "effective_from",
        "effective_to",
        "is_current",
    ]
    list_filter = ["list_type", "charge_type", "charge_level", "limit_inpatient_only"]
    search_fields = ["^code", "name"]
    readonly_fields = ["versions"]

    @admin.display(description=_("current version"), boolean=True)
    def is_current(self, item: models.CatalogItem) -> bool:
        return item.effective_to is None

    @admin.display(description=_("all versions of this code"))
    def versions(self, item: models.CatalogItem) -> str:
        rows = models.CatalogItem.objects.filter(code=item.code).order_by("effective_from")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{} – {}</a> {} {}</li>',
                (
                    (
                        reverse("admin:medins_catalogitem_change", args=[version.pk]),
                        version.effective_from,
                        version.effective_to or _("open"),
                        version.name,
                        version.price_cap if version.price_cap is not None else "",
                    )
                    for version in rows
                ),
            ),
        )


@admin.register(models.Icd10Category)
class Icd10CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "chapter", "only_gender", "min_age", "max_age"]
    list_filter = ["chapter", "only_gender"]
    search_fields = ["^code", "name_zh", "name_en"]
