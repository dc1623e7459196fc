"""Text-message gateways. SERVICES_SMS_GATEWAY names the class; the default keeps the outbox.

A gateway has one method, `send(*, phone, text) -> str`, returning the provider's reference,
and raises on failure. Swap in a provider's client by naming another class in settings.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_GATEWAY = "services.gateways.OutboxGateway"


class OutboxGateway:
    """Delivers nowhere: the Notification row is the message, read in the back-office outbox."""

    name = "outbox"

    def send(self, *, phone: str, text: str) -> str:
        return "outbox"


def gateway() -> object:
    """An instance of the configured gateway class."""
    return import_string(getattr(settings, "SERVICES_SMS_GATEWAY", DEFAULT_GATEWAY))()
