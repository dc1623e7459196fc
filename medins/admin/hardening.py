"""Admin for the audit log (search, read only) and failed log-ins (see, unlock)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from medins.admin.base import ViewOnlyAdmin
from medins.models import AuditEntry, LoginFailure
from medins.security import login_unlock


@admin.register(AuditEntry)
class AuditEntryAdmin(ViewOnlyAdmin):
    list_display = (
        "at",
        "actor_kind",
        "actor",
        "method",
        "path",
        "status_code",
        "action",
        "target",
    )
    list_filter = ("actor_kind", "method", "status_code", "action")
    search_fields = ("actor", "path", "action", "target", "request_id", "ip_address", "credential")
    date_hierarchy = "at"
    show_full_result_count = False  # counting a long log on every page is slow

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_active and request.user.is_superuser


@admin.register(LoginFailure)
class LoginFailureAdmin(ViewOnlyAdmin):
    list_display = ("username", "ip_address", "failed_at")
    search_fields = ("username", "ip_address")
    date_hierarchy = "failed_at"
    actions = ["unlock"]

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_active and request.user.is_superuser  # the unlock action

    @admin.action(description=_("Unlock the usernames and addresses of the selected log-ins"))
    def unlock(self, request: HttpRequest, queryset: QuerySet) -> None:
        usernames = set(queryset.values_list("username", flat=True))
        addresses = {ip for ip in queryset.values_list("ip_address", flat=True) if ip}
        removed = login_unlock(actor=request.user, usernames=usernames, ip_addresses=addresses)
        self.message_user(
            request,
            gettext("Unlocked %(names)s: %(count)d failed log-ins forgotten.")
            % {"names": ", ".join(sorted(usernames | addresses)), "count": removed},
            messages.SUCCESS,
        )

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # unlocking is the way, and it is recorded
        return actions
