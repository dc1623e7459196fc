"""Demo data of the services app: `demo_seed(*, stdout)`, idempotent.

The station network of the demo's counties (those where the imported persons live), their
villages, the item catalogue, the 2026 holiday calendar, 集采 offers at the pharmacies, a
third party for the authorization API, and the demo clerk bound to a town station.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import TextIO

from django.contrib.auth.models import User
from django.db import transaction

from medins.models import Division, Institution, Person, Role, UserProfile
from services.calendar import holiday_rows_2026
from services.catalogue import catalogue_ensure
from services.demo_samples import (
    sample_complaints_make,
    sample_requests_make,
    second_clerk_ensure,
)
from services.models import (
    CentralPurchaseOffer,
    Holiday,
    Station,
    StationLevel,
    ThirdParty,
    Village,
)

# Approximate seats of Jinan's counties (lon, lat) and how far their towns spread (degrees).
SEATS = {
    "370102": (117.076, 36.666, 0.03),
    "370103": (116.998, 36.651, 0.03),
    "370104": (116.901, 36.651, 0.03),
    "370105": (116.987, 36.693, 0.03),
    "370112": (117.165, 36.590, 0.12),
    "370113": (116.752, 36.553, 0.12),
    "370114": (117.526, 36.681, 0.15),
    "370115": (117.173, 36.978, 0.12),
    "370116": (117.660, 36.214, 0.15),
    "370117": (117.811, 36.058, 0.08),
    "370124": (116.456, 36.289, 0.12),
    "370126": (117.157, 37.310, 0.12),
}
TOWNS_PER_COUNTY = 5
VILLAGES_PER_TOWN = 8
VILLAGE_POINT_SHARE = 0.6  # share of villages with their own service point
VBP_DRUGS = (
    ("阿托伐他汀钙片", "20mg×7片", "chemical", "第一批国家集采", "5.60"),
    ("苯磺酸氨氯地平片", "5mg×28片", "chemical", "第一批国家集采", "4.30"),
    ("二甲双胍缓释片", "0.5g×30片", "chemical", "第二批国家集采", "3.80"),
    ("恩替卡韦分散片", "0.5mg×28片", "chemical", "第一批国家集采", "9.50"),
    ("连花清瘟胶囊", "0.35g×24粒", "chinese", "全国中成药联盟集采", "12.80"),
    ("胰岛素注射液", "3ml:300单位", "biological", "第六批国家集采(胰岛素专项)", "28.00"),
    ("血糖试纸", "50片", "consumable", "山东省医用耗材集采", "35.00"),
)
DEMO_THIRD_PARTY = "齐鲁商业健康保险有限公司(演示)"


def _seat(county: Division) -> tuple[float, float, float]:
    if county.code in SEATS:
        return SEATS[county.code]
    rng = random.Random(county.code)  # somewhere in Shandong, the same every run
    return 116.0 + rng.random() * 5, 35.2 + rng.random() * 2.2, 0.1


def _near(rng: random.Random, lon: float, lat: float, spread: float) -> tuple[Decimal, Decimal]:
    return (
        Decimal(f"{lon + rng.uniform(-spread, spread):.6f}"),
        Decimal(f"{lat + rng.uniform(-spread, spread) * 0.8:.6f}"),
    )


def _station(code: str, **values: object) -> Station:
    station, _created = Station.objects.update_or_create(code=code, defaults=values)
    return station


def _items_for(station: Station, items: list) -> None:
    station.items.set([item for item in items if station.level in item.levels])


def _county_network(county: Division, items: list) -> int:
    lon, lat, spread = _seat(county)
    rng = random.Random(f"stations-{county.code}")
    common = {"county": county, "active": True, "hours": "周一至周五 8:30-12:00 13:30-17:00"}
    made = [
        _station(
            f"{county.code}000",
            name=f"{county.name}医疗保障服务大厅",
            level=StationLevel.CITY_HALL,
            address=f"{county.name}政务服务中心一楼",
            longitude=Decimal(f"{lon:.6f}"),
            latitude=Decimal(f"{lat:.6f}"),
            staff_count=12,
            contact_name="赵敏",
            contact_phone="0531-12393",
            **common,
        )
    ]
    for town in range(1, TOWNS_PER_COUNTY + 1):
        town_lon, town_lat = _near(rng, lon, lat, spread)
        town_name = (
            f"{county.name[:2]}第{town}街道" if spread < 0.05 else f"{county.name[:2]}第{town}镇"
        )
        made.append(
            _station(
                f"{county.code}{town:03d}",
                name=f"{town_name}医疗保障服务站",
                level=StationLevel.TOWN,
                address=f"{town_name}便民服务中心",
                longitude=town_lon,
                latitude=town_lat,
                staff_count=3,
                contact_name=f"{'王李张刘陈'[town - 1]}小管家",
                contact_phone=f"1390531{county.code[-2:]}{town:02d}",
                **common,
            )
        )
        for number in range(1, VILLAGES_PER_TOWN + 1):
            code = f"{county.code}{town:03d}{number:03d}"
            v_lon, v_lat = _near(rng, float(town_lon), float(town_lat), spread / 2 + 0.02)
            Village.objects.update_or_create(
                code=code,
                defaults={
                    "name": f"{town_name}第{number}村",
                    "county": county,
                    "town_name": town_name,
                    "longitude": v_lon,
                    "latitude": v_lat,
                },
            )
            if rng.random() < VILLAGE_POINT_SHARE:
                made.append(
                    _station(
                        code,
                        name=f"{town_name}第{number}村医保服务点",
                        level=StationLevel.VILLAGE,
                        address=f"第{number}村党群服务中心",
                        longitude=v_lon,
                        latitude=v_lat,
                        staff_count=1,
                        contact_name="村医保专干",
                        contact_phone="0531-12393",
                        **{**common, "hours": "工作日 9:00-11:30"},
                    )
                )
    institutions = Institution.objects.filter(division_code=county.code).order_by("code")
    for hospital in institutions.filter(kind=Institution.Kind.MEDICAL)[:3]:
        h_lon, h_lat = _near(rng, lon, lat, spread / 2)
        made.append(
            _station(
                f"W{hospital.code}",
                name=f"{hospital.name}医保工作站",
                level=StationLevel.HOSPITAL,
                address=f"{hospital.name}门诊大厅",
                longitude=h_lon,
                latitude=h_lat,
                staff_count=2,
                contact_name="医保办",
                contact_phone="0531-12393",
                **common,
            )
        )
    for pharmacy in institutions.filter(kind=Institution.Kind.PHARMACY)[:2]:
        p_lon, p_lat = _near(rng, lon, lat, spread)
        made.append(
            _station(
                f"W{pharmacy.code}",
                name=f"{pharmacy.name}医保服务点",
                level=StationLevel.PARTNER,
                address=pharmacy.name,
                longitude=p_lon,
                latitude=p_lat,
                staff_count=1,
                contact_name="店长",
                contact_phone="0531-12393",
                **common,
            )
        )
    for station in made:
        _items_for(station, items)
    return len(made)


def _offers(counties: list[Division]) -> int:
    pharmacies = Institution.objects.filter(
        kind=Institution.Kind.PHARMACY, division_code__in=[c.code for c in counties]
    ).order_by("code")[:300]
    count = 0
    for pharmacy in pharmacies:
        rng = random.Random(pharmacy.code)
        for name, spec, category, round_name, price in rng.sample(VBP_DRUGS, 4):
            CentralPurchaseOffer.objects.update_or_create(
                pharmacy=pharmacy,
                drug_name=name,
                defaults={
                    "specification": spec,
                    "category": category,
                    "procurement_round": round_name,
                    "price": Decimal(price),
                },
            )
            count += 1
    return count


def _bind_clerk(stdout: TextIO) -> None:
    profile = UserProfile.objects.filter(user__username="clerk", role=Role.CLERK).first()
    if profile is None:
        return
    if not Station.objects.filter(code=profile.station_code).exists():
        town = (
            Station.objects.filter(
                level=StationLevel.TOWN, county__code__startswith=profile.region_code
            )
            .order_by("code")
            .first()
            or Station.objects.filter(level=StationLevel.TOWN).first()
        )
        if town is None:
            return
        profile.station_code = town.code
        profile.save(update_fields=["station_code"])
    stdout.write(f"  demo clerk works at station {profile.station_code}\n")


def _third_party(stdout: TextIO) -> None:
    from services.actions.consent import third_party_register

    if ThirdParty.objects.filter(name=DEMO_THIRD_PARTY).exists():
        return
    _party, token = third_party_register(name=DEMO_THIRD_PARTY)
    stdout.write(f"  third-party API token (DEMO ONLY, shown once): {token}\n")


def demo_seed(*, stdout: TextIO) -> None:
    """Seed the network for the counties where the demo's persons live; idempotent."""
    with transaction.atomic():
        for day, kind, name in holiday_rows_2026():
            Holiday.objects.update_or_create(day=day, defaults={"kind": kind, "name": name})
        items = catalogue_ensure()
        prefixes = {
            code[:6] for code in Person.objects.values_list("division_code", flat=True).distinct()
        }
        counties = list(Division.objects.filter(code__in=prefixes, level=Division.Level.COUNTY))
        if not counties:
            counties = list(
                Division.objects.filter(code__startswith="3701", level=Division.Level.COUNTY)
            )
        stations = sum(_county_network(county, items) for county in counties)
        offers = _offers(counties)
        _bind_clerk(stdout)
        second_clerk_ensure()
    _third_party(stdout)
    requests = sample_requests_make()
    complaints = sample_complaints_make()
    stdout.write(
        f"Services: {stations} stations in {len(counties)} counties, {len(items)} items, "
        f"{offers} 集采 offers, 2026 holiday calendar; {requests} sample requests, "
        f"{complaints} complaints; clerk2 reviews reimbursements a second time.\n"
    )
    if not User.objects.filter(username="clerk").exists():
        stdout.write("  (no demo clerk yet: run create_demo_users)\n")
