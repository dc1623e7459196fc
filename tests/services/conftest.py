"""A small network: Lixia's town station with its clerks, a Qingdao station, the catalogue."""

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from services.models import Channel, ServiceItem, Station, StationLevel
from tests.factories import DivisionFactory, InstitutionFactory, PersonFactory, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
ALL_CHANNELS = [choice.value for choice in Channel]


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def item(code, name, *, flow="plain", instant=False, days=5, materials=("身份证", "申请表")):
    return ServiceItem.objects.create(
        code=code,
        name=name,
        materials=list(materials),
        time_limit_days=days,
        instant=instant,
        levels=[level.value for level in StationLevel],
        channels=ALL_CHANNELS,
        flow=flow,
    )


def station(code, county, name):
    return Station.objects.create(
        code=code,
        name=name,
        level=StationLevel.TOWN,
        county=county,
        address="经十路1号",
        longitude="117.05",
        latitude="36.66",
        hours="8:30-17:00",
        contact_name="王管家",
        contact_phone="0531-1234567",
    )


@pytest.fixture
def net(db):
    lixia = DivisionFactory(code="370102", name="历下区")
    shinan = DivisionFactory(code="370202", name="市南区")
    items = SimpleNamespace(
        card=item("SI001", "参保信息查询打印", instant=True, materials=("身份证",)),
        change=item("SI002", "参保信息变更", days=5),
        chronic=item(
            "SI003", "门诊慢特病认定", flow="chronic", days=20, materials=("身份证", "病历")
        ),
        filing=item("SI004", "异地就医备案", flow="filing", days=1, materials=("身份证",)),
        refund=item(
            "SI005", "零星报销", flow="reimbursement", days=20, materials=("身份证", "发票")
        ),
    )
    lx = station("LX01", lixia, "历下区姚家街道医保服务站")
    qd = station("QD01", shinan, "市南区医保服务站")
    for one in (lx, qd):
        one.items.set(vars(items).values())
    return SimpleNamespace(
        lixia=lixia,
        lx=lx,
        qd=qd,
        items=items,
        clerk=make_user("clerk", region_code="370102", station_code="LX01"),
        other_clerk=make_user("clerk", region_code="370102", station_code="LX01"),
        qingdao_clerk=make_user("clerk", region_code="370202", station_code="QD01"),
        manager=make_user("manager", region_code="3701"),
        qingdao_manager=make_user("manager", region_code="3702"),
        auditor=make_user("auditor", region_code="3701"),
        admin=make_user("admin", region_code=""),
        person=PersonFactory(name="李四", division_code="370102"),
        hospital=InstitutionFactory(code="H37010200009", name="历下区人民医院"),
    )
