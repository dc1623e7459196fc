"""One-window handling: start, materials, accept, return, refuse, review, rate, notices."""

from datetime import date

import pytest

from services.actions import ServiceError
from services.actions.flows import request_review
from services.actions.window import (
    request_accept,
    request_rate,
    request_refuse,
    request_resubmit,
    request_return,
    request_start,
)
from services.models import Holiday, Notification, ServiceRequest
from tests.services.conftest import at


def start(net, item, **extra):
    return request_start(
        user=net.clerk,
        person=net.person,
        item=item,
        channel=extra.pop("channel", "window"),
        phone="13800000000",
        at=at(2026, 3, 6, 9, 0),
        **extra,
    )


class TestInstantItem:
    def test_closes_on_the_spot_with_every_material(self, net, django_capture_on_commit_callbacks):
        request = start(net, net.items.card)

        with django_capture_on_commit_callbacks(execute=True):
            done = request_accept(
                user=net.clerk, request=request, materials=["身份证"], at=at(2026, 3, 6, 9, 5)
            )

        assert done.status == ServiceRequest.Status.DONE
        assert done.outcome == "approved"
        assert done.due_date == date(2026, 3, 6)
        assert [e.action for e in done.events.all()] == ["start", "complete"]
        assert "已办结" in Notification.objects.get(request=done).text

    def test_missing_material_is_refused_with_its_name(self, net):
        request = start(net, net.items.card)

        with pytest.raises(ServiceError, match="身份证"):
            request_accept(user=net.clerk, request=request, materials=[], at=at(2026, 3, 6, 9, 5))


class TestDeadlines:
    def test_accepting_sets_the_due_day_in_working_days_over_a_holiday(self, net):
        Holiday.objects.create(day=date(2026, 3, 9), kind="holiday", name="测试假日")
        request = start(net, net.items.change)

        accepted = request_accept(
            user=net.clerk, request=request, materials=["身份证", "申请表"], at=at(2026, 3, 6, 10)
        )

        # Friday + 5 working days, Monday the 9th off: Tue 10 … Mon 16.
        assert accepted.due_date == date(2026, 3, 16)
        assert accepted.status == ServiceRequest.Status.ACCEPTED


class TestReturnAndRefuse:
    def test_returned_request_names_what_is_missing_and_can_come_back(self, net):
        request = start(net, net.items.change)

        returned = request_return(
            user=net.clerk,
            request=request,
            materials=["身份证"],
            missing=["申请表"],
            note="",
            at=at(2026, 3, 6, 9, 10),
        )
        again = request_resubmit(user=net.clerk, request=returned, at=at(2026, 3, 9, 9))

        assert returned.status == ServiceRequest.Status.RETURNED
        assert returned.missing_materials == ["申请表"]
        assert "申请表" in Notification.objects.get(request=request).text
        assert again.status == ServiceRequest.Status.NEW

    def test_refusal_needs_a_reason_and_closes(self, net):
        request = start(net, net.items.change)
        with pytest.raises(ServiceError, match="reason"):
            request_refuse(user=net.clerk, request=request, reason=" ", at=at(2026, 3, 6, 9))

        refused = request_refuse(
            user=net.clerk, request=request, reason="不属于本地参保", at=at(2026, 3, 6, 9)
        )

        assert refused.status == ServiceRequest.Status.REFUSED
        assert refused.closed_at is not None

    def test_an_illegal_move_is_refused(self, net):
        request = start(net, net.items.change)
        request_refuse(user=net.clerk, request=request, reason="x", at=at(2026, 3, 6, 9))

        with pytest.raises(ServiceError, match="cannot be accepted"):
            request_accept(
                user=net.clerk, request=request, materials=["身份证", "申请表"], at=at(2026, 3, 6)
            )


class TestProxyAndRating:
    def test_proxy_handling_records_who_acted_for_whom(self, net):
        request = start(
            net, net.items.card, channel="proxy", proxy_name="李小四", proxy_relation="子女"
        )

        done = request_accept(
            user=net.clerk, request=request, materials=["身份证"], at=at(2026, 3, 6, 9)
        )

        assert done.events.last().acting_for == f"李小四 (子女) → {net.person.psn_no}"

    def test_proxy_channel_needs_the_proxy_name(self, net):
        with pytest.raises(ServiceError, match="Proxy"):
            start(net, net.items.card, channel="proxy")

    def test_rating_once_after_closing(self, net):
        request = start(net, net.items.card)
        with pytest.raises(ServiceError, match="not closed"):
            request_rate(request=request, rating=5, comment="", at=at(2026, 3, 6, 9))
        request_accept(user=net.clerk, request=request, materials=["身份证"], at=at(2026, 3, 6, 9))

        rated = request_rate(request=request, rating=4, comment="快", at=at(2026, 3, 6, 9, 30))

        assert (rated.rating, rated.rating_comment) == (4, "快")
        with pytest.raises(ServiceError, match="already rated"):
            request_rate(request=request, rating=1, comment="", at=at(2026, 3, 6, 10))
        with pytest.raises(ServiceError, match="1 to 5"):
            request_rate(request=request, rating=6, comment="", at=at(2026, 3, 6, 10))


class TestWhoMayAct:
    def test_another_stations_clerk_cannot_move_the_request(self, net):
        request = start(net, net.items.change)

        with pytest.raises(ServiceError, match="another station"):
            request_accept(
                user=net.qingdao_clerk,
                request=request,
                materials=["身份证", "申请表"],
                at=at(2026, 3, 6),
            )

    def test_a_manager_cannot_start_requests(self, net):
        with pytest.raises(ServiceError, match="clerk"):
            request_start(
                user=net.manager,
                person=net.person,
                item=net.items.card,
                channel="window",
                at=at(2026, 3, 6),
            )

    def test_a_person_outside_the_clerks_area_is_refused(self, net):
        from tests.factories import PersonFactory

        outsider = PersonFactory(division_code="370202")

        with pytest.raises(ServiceError, match="outside your area"):
            request_start(
                user=net.clerk,
                person=outsider,
                item=net.items.card,
                channel="window",
                at=at(2026, 3, 6),
            )

    def test_plain_review_closes_the_request(self, net):
        request = start(net, net.items.change)
        request_accept(
            user=net.clerk, request=request, materials=["身份证", "申请表"], at=at(2026, 3, 6)
        )

        done = request_review(
            user=net.clerk, request=request, approve=True, note="", at=at(2026, 3, 7)
        )

        assert (done.status, done.outcome) == ("done", "approved")


def test_a_proxys_bad_id_number_is_refused_with_the_reason(net):
    with pytest.raises(ServiceError, match="check digit"):
        start(
            net,
            net.items.card,
            channel="proxy",
            proxy_name="李小四",
            proxy_certno="370102199001011234",
        )
