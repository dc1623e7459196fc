"""Celery tasks of the services app: each parses its message and calls one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def notification_send(*, notification_id: int, **kwargs: object) -> str:
    """Hand one queued text message to the gateway; a second delivery does nothing."""
    from services.actions.notify import notification_deliver

    return notification_deliver(notification_id=notification_id)


@shared_task(acks_late=True)
def complaint_alerts_send(**kwargs: object) -> int:
    """Alert overdue complaint steps (each once); run by beat every hour."""
    from django.utils import timezone

    from services.actions.complaints import complaint_alerts_send as send

    return send(today=timezone.localdate(), at=timezone.now())
