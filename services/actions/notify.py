"""Queue text messages in the transaction that causes them; send after commit, never blocking."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from services.gateways import gateway
from services.models import Notification, ServiceRequest

log = logging.getLogger(__name__)


def notification_queue(
    *, phone: str, text: str, at: datetime, psn_no: str = "", request: ServiceRequest | None = None
) -> Notification | None:
    """Record a message (no phone: none) and send it once the caller's transaction commits."""
    if not phone:
        return None
    notification = Notification.objects.create(
        phone=phone, text=text[:500], psn_no=psn_no, request=request, created_at=at
    )
    transaction.on_commit(lambda: _dispatch(notification.pk))
    return notification


def _dispatch(notification_id: int) -> None:
    """Queue the send task; a broker or gateway failure leaves the row queued, never raises."""
    from services.tasks import notification_send

    try:
        notification_send.delay(notification_id=notification_id)
    except Exception:
        log.exception("text message %s not dispatched; it stays queued", notification_id)


def notification_deliver(*, notification_id: int) -> str:
    """Send a queued message through the gateway; records sent or failed. Idempotent."""
    claimed = Notification.objects.filter(
        pk=notification_id, status=Notification.Status.QUEUED
    ).first()
    if claimed is None:
        return "skipped"
    sender = gateway()
    try:
        sender.send(phone=claimed.phone, text=claimed.text)
    except Exception as error:
        Notification.objects.filter(pk=claimed.pk, status=Notification.Status.QUEUED).update(
            status=Notification.Status.FAILED,
            error=str(error)[:500],
            gateway=getattr(sender, "name", type(sender).__name__),
        )
        return Notification.Status.FAILED
    Notification.objects.filter(pk=claimed.pk, status=Notification.Status.QUEUED).update(
        status=Notification.Status.SENT,
        sent_at=timezone.now(),
        gateway=getattr(sender, "name", type(sender).__name__),
    )
    return Notification.Status.SENT
