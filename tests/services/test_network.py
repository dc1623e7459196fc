"""Coverage figures, the offline map's projection, the public searches, the demo seed."""

from io import StringIO

import pytest

from medins.models import Division, Institution, UserProfile
from services.demo import demo_seed
from services.models import CentralPurchaseOffer, Holiday, ServiceRequest, Station, Village
from services.network import coverage_by_county, distance_km, map_points, pharmacies_search
from tests.factories import (
    DivisionFactory,
    InstitutionFactory,
    PersonFactory,
    UserFactory,
    UserProfileFactory,
)


def test_distance_of_a_degree_of_latitude():
    assert distance_km(117.0, 36.0, 117.0, 37.0) == pytest.approx(111.2, abs=0.2)


class TestCoverage:
    def test_villages_within_the_radius_count_as_covered(self, net):
        Village.objects.create(
            code="370102001001",
            name="近村",
            county=net.lixia,
            town_name="姚家",
            longitude="117.06",
            latitude="36.66",
        )  # ~0.9 km from LX01
        Village.objects.create(
            code="370102001002",
            name="远村",
            county=net.lixia,
            town_name="姚家",
            longitude="117.20",
            latitude="36.66",
        )  # ~13 km

        [row] = coverage_by_county(counties=[net.lixia], radius_km=3)

        assert (row.villages, row.covered, row.share) == (2, 1, 0.5)
        assert row.stations == 1
        assert row.insured == 1
        assert row.per_10k == 10_000

    @pytest.mark.parametrize(
        ("east_km", "north_km", "covered"),
        [(2.9, 0, 1), (3.1, 0, 0), (0, 2.99, 1), (0, 3.01, 0)],
    )
    def test_the_radius_holds_due_east_and_north(self, net, east_km, north_km, covered):
        Station.objects.filter(code="QD01").delete()
        east = east_km / distance_km(117.05, 36.66, 118.05, 36.66)
        north = north_km / distance_km(117.05, 36.66, 117.05, 37.66)
        Village.objects.create(
            code="370102001003",
            name="东村",
            county=net.lixia,
            town_name="姚家",
            longitude=f"{117.05 + east:.6f}",
            latitude=f"{36.66 + north:.6f}",
        )

        [row] = coverage_by_county(counties=[net.lixia], radius_km=3)

        assert row.covered == covered

    def test_an_inactive_station_covers_nothing(self, net):
        Village.objects.create(
            code="370102001001",
            name="近村",
            county=net.lixia,
            town_name="姚家",
            longitude="117.05",
            latitude="36.66",
        )
        Station.objects.update(active=False)

        [row] = coverage_by_county(counties=[net.lixia], radius_km=3)

        assert row.covered == 0


def test_the_map_keeps_coinciding_stations_inside_the_frame(net):
    points = map_points(Station.objects.all(), width=800, height=560)

    assert len(points) == 2
    assert all(0 <= p.x <= 800 and 0 <= p.y <= 560 for p in points)


def test_the_map_places_the_northern_station_higher(net):
    Station.objects.filter(code="QD01").update(latitude="37.00", longitude="117.05")

    points = {p.station.code: p for p in map_points(Station.objects.all())}

    assert points["QD01"].y < points["LX01"].y


def test_pharmacy_search_by_county_and_type(db):
    Division.objects.get_or_create(code="370102", defaults={"name": "历下区", "level": 3})
    pharmacy = InstitutionFactory(
        code="P37010200001", kind=Institution.Kind.PHARMACY, name="历下大药房"
    )
    CentralPurchaseOffer.objects.create(
        pharmacy=pharmacy,
        drug_name="阿托伐他汀钙片",
        category="chemical",
        procurement_round="第一批",
        price="5.60",
    )
    CentralPurchaseOffer.objects.create(
        pharmacy=pharmacy,
        drug_name="连花清瘟胶囊",
        category="chinese",
        procurement_round="联盟",
        price="12.80",
    )

    assert [o.drug_name for o in pharmacies_search(county="370102", category="chinese")] == [
        "连花清瘟胶囊"
    ]
    assert not pharmacies_search(county="370202").exists()


def test_the_demo_seed_builds_the_network_and_binds_the_clerk_idempotently(db):
    DivisionFactory(code="370102", name="历下区")  # loaded by a migration, unless flushed since
    PersonFactory(division_code="370102")
    InstitutionFactory(code="P37010200001", kind=Institution.Kind.PHARMACY)
    UserProfileFactory(
        user=UserFactory(username="clerk"), role="clerk", region_code="370102", station_code="X"
    )

    demo_seed(stdout=StringIO())
    counts = (Station.objects.count(), Village.objects.count(), ServiceRequest.objects.count())
    demo_seed(stdout=StringIO())

    assert (
        Station.objects.count(),
        Village.objects.count(),
        ServiceRequest.objects.count(),
    ) == counts
    assert counts[2] == 1  # the one person's sample request at the clerk's station
    assert Holiday.objects.filter(day__year=2026, kind="workday").count() == 6
    assert UserProfile.objects.get(user__username="clerk2").station_code == "370102001"
    assert Station.objects.filter(code="370102001", level="town").exists()
    assert UserProfile.objects.get(user__username="clerk").station_code == "370102001"
    assert Station.objects.get(code="370102001").items.filter(flow="reimbursement").exists()
    assert Village.objects.filter(county_id="370102").count() == 40
    assert CentralPurchaseOffer.objects.count() == 4
    [row] = coverage_by_county(counties=Division.objects.filter(code="370102"))
    assert row.covered >= row.villages * 0.6


def test_each_county_is_labelled_above_its_stations(net):
    from services.network import map_labels

    Station.objects.filter(code="QD01").update(latitude="37.00")
    points = map_points(Station.objects.select_related("county"))

    labels = {name: (x, y) for name, x, y in map_labels(points)}

    assert set(labels) == {"历下区", "市南区"}
    assert labels["市南区"][1] < labels["历下区"][1]
