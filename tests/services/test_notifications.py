"""Text messages: queued in the transaction, sent after commit, never blocking the request."""

from services.actions.notify import notification_deliver
from services.actions.window import request_accept, request_start
from services.models import Notification
from tests.services.conftest import at


class BrokenGateway:
    name = "broken"

    def send(self, *, phone, text):
        raise ConnectionError("SMS provider unreachable")


def instant(net):
    request = request_start(
        user=net.clerk,
        person=net.person,
        item=net.items.card,
        channel="window",
        phone="13800000000",
        at=at(2026, 3, 6, 9),
    )
    return request_accept(
        user=net.clerk, request=request, materials=["身份证"], at=at(2026, 3, 6, 9)
    )


def test_nothing_is_sent_before_commit(net, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        done = instant(net)

    assert len(callbacks) == 1
    assert Notification.objects.get(request=done).status == Notification.Status.QUEUED


def test_the_outbox_gateway_marks_the_message_sent_once(net):
    notice = Notification.objects.get(request=instant(net))

    assert notification_deliver(notification_id=notice.pk) == Notification.Status.SENT
    assert notification_deliver(notification_id=notice.pk) == "skipped"
    notice.refresh_from_db()
    assert (notice.status, notice.gateway) == ("sent", "outbox")


def test_a_failing_gateway_is_recorded_on_the_message(net, settings):
    settings.SERVICES_SMS_GATEWAY = "tests.services.test_notifications.BrokenGateway"
    notice = Notification.objects.get(request=instant(net))

    assert notification_deliver(notification_id=notice.pk) == Notification.Status.FAILED
    notice.refresh_from_db()
    assert "unreachable" in notice.error


def test_a_dead_broker_does_not_fail_the_request(
    net, monkeypatch, django_capture_on_commit_callbacks
):
    from services import tasks

    def refuse(**kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.notification_send, "delay", refuse)

    with django_capture_on_commit_callbacks(execute=True):
        done = instant(net)

    assert done.status == "done"
    assert Notification.objects.get(request=done).status == Notification.Status.QUEUED


def test_no_phone_no_message(net):
    request = request_start(
        user=net.clerk,
        person=net.person,
        item=net.items.card,
        channel="window",
        phone="",
        at=at(2026, 3, 6, 9),
    )
    request_accept(user=net.clerk, request=request, materials=["身份证"], at=at(2026, 3, 6, 9))

    assert not Notification.objects.exists()
