"""What the registry and settlement admins share: read-only inlines that never load it all."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Medins administration")
admin.site.site_title = _("Medins")


class LimitedInlineFormSet(BaseInlineFormSet):
    """The first `limit` rows only, fetched once: an inline must never load 100k fee lines."""

    limit = 50

    def get_queryset(self) -> QuerySet:
        if not hasattr(self, "_limited"):
            self._limited = super().get_queryset()[: self.limit]
        return self._limited


class ReadOnlyInline(admin.TabularInline):
    """Rows shown, never edited here: changes go through the services or the import."""

    extra = 0
    can_delete = False
    show_change_link = True
    formset = LimitedInlineFormSet

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        # Non-editable fields (auto_now_add) may only appear in an inline as read-only.
        return list(self.fields or ())


class ViewOnlyAdmin(admin.ModelAdmin):
    """Records that only a service or an import writes; the admin lets people look."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
