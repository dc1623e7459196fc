"""Complaints under the three-day rule, in working days."""

from datetime import date

import pytest

from services.actions import ServiceError
from services.actions.complaints import complaint_alerts, complaint_record, complaint_step
from services.models import Holiday
from tests.services.conftest import at


def record(net, when):
    return complaint_record(
        user=net.manager,
        county=net.lixia,
        station=net.lx,
        complainant_name="赵六",
        complainant_phone="13900000000",
        content="窗口排队时间过长",
        at=when,
    )


class TestThreeDayRule:
    def test_a_friday_complaint_is_due_over_the_weekend_in_working_days(self, net):
        complaint = record(net, at(2026, 3, 6, 16))

        assert complaint.instruction_due == date(2026, 3, 6)
        assert complaint.contact_due == date(2026, 3, 9)
        assert complaint.resolution_due == date(2026, 3, 10)

    def test_a_complaint_on_a_holiday_starts_on_the_next_working_day(self, net):
        Holiday.objects.create(day=date(2026, 3, 9), kind="holiday", name="测试")
        complaint = record(net, at(2026, 3, 7, 10))  # Saturday; Monday is off

        assert complaint.day_one == date(2026, 3, 10)
        assert complaint.resolution_due == date(2026, 3, 12)

    def test_steps_go_in_order_and_a_late_one_is_marked(self, net):
        complaint = record(net, at(2026, 3, 6, 9))
        with pytest.raises(ServiceError, match="previous step"):
            complaint_step(
                user=net.manager,
                complaint=complaint,
                step="contact",
                note="已电话",
                at=at(2026, 3, 6),
            )

        complaint_step(
            user=net.manager,
            complaint=complaint,
            step="instruct",
            note="请服务站核查",
            at=at(2026, 3, 6, 10),
        )
        late = complaint_step(
            user=net.manager,
            complaint=complaint,
            step="contact",
            note="已电话联系",
            at=at(2026, 3, 10, 9),
        )

        assert late.events.get(step="contact").late is True
        assert late.events.get(step="instruct").late is False

    def test_overdue_steps_are_alerted(self, net):
        complaint = record(net, at(2026, 3, 6, 9))

        assert complaint_alerts(complaint, today=date(2026, 3, 6)) == []
        assert complaint_alerts(complaint, today=date(2026, 3, 10)) == ["instruct", "contact"]
        assert complaint_alerts(complaint, today=date(2026, 3, 11)) == [
            "instruct",
            "contact",
            "resolve",
        ]

    def test_only_the_divisions_manager_handles_it(self, net):
        with pytest.raises(ServiceError, match="managers"):
            complaint_record(
                user=net.qingdao_manager,
                county=net.lixia,
                complainant_name="赵六",
                complainant_phone="",
                content="x",
                at=at(2026, 3, 6),
            )


def test_overdue_steps_are_texted_to_the_county_hall_once_each(net):
    from services.actions.complaints import complaint_alerts_send
    from services.models import Notification, StationLevel

    net.lx.level = StationLevel.CITY_HALL
    net.lx.save()
    record(net, at(2026, 3, 6, 9))  # Friday: instruction due that day, contact Monday

    first = complaint_alerts_send(today=date(2026, 3, 9), at=at(2026, 3, 9, 8))
    again = complaint_alerts_send(today=date(2026, 3, 9), at=at(2026, 3, 9, 9))
    later = complaint_alerts_send(today=date(2026, 3, 10), at=at(2026, 3, 10, 8))

    assert (first, again, later) == (1, 0, 1)
    texts = list(Notification.objects.order_by("pk").values_list("phone", "text"))
    assert texts[0][0] == "0531-1234567"
    assert "超期未批示" in texts[0][1]
    assert "联系投诉人" in texts[1][1]
