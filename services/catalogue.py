"""The demo's service item catalogue (政务服务事项清单), modelled on Shandong's 医保经办 list."""

from __future__ import annotations

from services.models import Channel, ServiceItem, StationLevel

ALL_LEVELS = [level.value for level in StationLevel]
UPPER = [StationLevel.CITY_HALL.value, StationLevel.TOWN.value]
WITH_HOSPITAL = [*UPPER, StationLevel.HOSPITAL.value]
ALL_CHANNELS = [channel.value for channel in Channel]
WINDOW_PROXY = [Channel.WINDOW.value, Channel.PROXY.value]

# code, name, materials, working days, instant, levels, channels, flow
ITEMS = (
    (
        "SD-YB-001",
        "参保信息查询打印",
        ["身份证或医保电子凭证"],
        0,
        True,
        ALL_LEVELS,
        ALL_CHANNELS,
        "plain",
    ),
    (
        "SD-YB-002",
        "参保信息变更登记",
        ["身份证", "变更登记表"],
        0,
        True,
        [*UPPER, "village"],
        ALL_CHANNELS,
        "plain",
    ),
    ("SD-YB-003", "医保电子凭证激活指导", ["身份证"], 0, True, ALL_LEVELS, WINDOW_PROXY, "plain"),
    (
        "SD-YB-004",
        "城乡居民参保登记",
        ["身份证", "户口簿"],
        0,
        True,
        [*UPPER, "village"],
        ALL_CHANNELS,
        "plain",
    ),
    (
        "SD-YB-005",
        "医保关系转移接续",
        ["身份证", "参保凭证", "转移申请表"],
        15,
        False,
        UPPER,
        ALL_CHANNELS,
        "plain",
    ),
    (
        "SD-YB-006",
        "职工医保个人账户家庭共济备案",
        ["身份证", "亲属关系证明"],
        1,
        False,
        UPPER,
        ALL_CHANNELS,
        "plain",
    ),
    (
        "SD-YB-007",
        "门诊慢特病待遇认定",
        ["身份证", "病历资料", "检查报告", "认定申请表"],
        20,
        False,
        WITH_HOSPITAL,
        WINDOW_PROXY,
        "chronic",
    ),
    (
        "SD-YB-008",
        "异地就医备案",
        ["身份证", "备案登记表"],
        1,
        False,
        ALL_LEVELS,
        ALL_CHANNELS,
        "filing",
    ),
    (
        "SD-YB-009",
        "零星医疗费用报销",
        ["身份证", "医疗费用发票", "费用明细清单", "病历资料"],
        20,
        False,
        UPPER,
        WINDOW_PROXY,
        "reimbursement",
    ),
    (
        "SD-YB-010",
        "生育津贴申领",
        ["身份证", "出生医学证明", "银行卡"],
        10,
        False,
        UPPER,
        WINDOW_PROXY,
        "plain",
    ),
    ("SD-YB-011", "定点医药机构信息查询", [], 0, True, ALL_LEVELS, ALL_CHANNELS, "plain"),
    (
        "SD-YB-012",
        "医疗救助申请",
        ["身份证", "困难群众身份证明", "医疗费用票据"],
        15,
        False,
        UPPER,
        WINDOW_PROXY,
        "plain",
    ),
)


def catalogue_ensure() -> list[ServiceItem]:
    """Create or refresh the demo items; idempotent."""
    items = []
    for code, name, materials, days, instant, levels, channels, flow in ITEMS:
        item, _created = ServiceItem.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "materials": materials,
                "time_limit_days": days,
                "instant": instant,
                "levels": levels,
                "channels": channels,
                "flow": flow,
                "active": True,
            },
        )
        items.append(item)
    return items
