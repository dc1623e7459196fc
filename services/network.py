"""Reads of the network: coverage figures per county, the offline map, the public searches."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Left

from medins.models import Division, Institution, Person
from services.models import CentralPurchaseOffer, Station, Village

EARTH_KM = 6371.0
KM_PER_DEGREE = 111.19  # along a meridian
# The "15-minute service circle": a point within this distance of a village, by default
# (about 15 minutes by bicycle or e-bike on country roads).
DEFAULT_RADIUS_KM = 3.0


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(a))


@dataclass
class Coverage:
    county: Division | None  # None: the sum of the counties shown
    villages: int
    covered: int
    stations: int
    insured: int

    @property
    def share(self) -> float | None:
        return self.covered / self.villages if self.villages else None

    @property
    def per_10k(self) -> float | None:
        return self.stations * 10_000 / self.insured if self.insured else None


def coverage_by_county(
    *, counties: Iterable[Division], radius_km: float = DEFAULT_RADIUS_KM
) -> list[Coverage]:
    """Per county: villages with an active station within radius_km, stations per 10,000 insured.

    Stations of neighbouring counties count too: a village is served by whatever is near.
    """
    counties = list(counties)
    codes = [county.code for county in counties]
    points = sorted(
        (float(lon), float(lat))
        for lon, lat in Station.objects.filter(active=True).values_list("longitude", "latitude")
    )
    longitudes = [lon for lon, _lat in points]
    stations = dict(
        Station.objects.filter(active=True, county_id__in=codes)
        .values_list("county_id")
        .annotate(n=Count("pk"))
    )
    villages: dict[str, list[tuple[float, float]]] = defaultdict(list)
    rows = Village.objects.filter(county_id__in=codes).values_list(
        "county_id", "longitude", "latitude"
    )
    for code, lon, lat in rows:
        villages[code].append((float(lon), float(lat)))
    insured = _insured_by_county(codes)
    coverage = []
    for county in counties:
        near = villages[county.code]
        covered = sum(_served(lon, lat, points, longitudes, radius_km) for lon, lat in near)
        coverage.append(
            Coverage(county, len(near), covered, stations.get(county.code, 0), insured[county.code])
        )
    return coverage


def _insured_by_county(codes: list[str]) -> dict[str, int]:
    """Insured persons per county code, whose region code begins with it: one query a length
    of code (counties have one), not one a county."""
    counts: dict[str, int] = dict.fromkeys(codes, 0)
    for length in {len(code) for code in codes}:
        same = [code for code in codes if len(code) == length]
        within = Q()
        for code in same:
            within |= Q(division_code__startswith=code)
        found = (
            Person.objects.filter(within)
            .annotate(county=Left("division_code", length))
            .values("county")
            .annotate(n=Count("pk"))
        )
        counts.update({row["county"]: row["n"] for row in found})
    return counts


def _served(
    lon: float,
    lat: float,
    points: list[tuple[float, float]],
    longitudes: list[float],
    radius: float,
) -> bool:
    """Whether a point lies within radius km; only points in the longitude band are measured
    (sorted by longitude), so a province's villages × stations stays cheap, and of those only
    the ones in the latitude band (a great circle is never shorter than its span of latitude,
    and KM_PER_DEGREE is a little under the haversine's degree, so the band is a little wide)."""
    band = radius / (KM_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    start, end = bisect_left(longitudes, lon - band), bisect_right(longitudes, lon + band)
    lat_band = radius / KM_PER_DEGREE
    return any(
        abs(y - lat) <= lat_band and distance_km(lon, lat, x, y) <= radius
        for x, y in points[start:end]
    )


def coverage_total(rows: list[Coverage]) -> Coverage | None:
    """The rows summed (county None), or None for no rows."""
    if not rows:
        return None
    return Coverage(
        None,
        sum(row.villages for row in rows),
        sum(row.covered for row in rows),
        sum(row.stations for row in rows),
        sum(row.insured for row in rows),
    )


@dataclass
class MapPoint:
    station: Station
    x: float
    y: float


def map_points(
    stations: Iterable[Station], *, width: int = 800, height: int = 560
) -> list[MapPoint]:
    """Stations projected to SVG coordinates (equirectangular, scaled by cos of the mid latitude),
    fitted into width × height with a margin; north up. No tiles, no network."""
    stations = list(stations)
    if not stations:
        return []
    lons = [float(s.longitude) for s in stations]
    lats = [float(s.latitude) for s in stations]
    squeeze = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = max((max(lons) - min(lons)) * squeeze, 1e-6)
    span_y = max(max(lats) - min(lats), 1e-6)
    margin = 20
    scale = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)
    west, south = min(lons), min(lats)
    return [
        MapPoint(
            station,
            round(margin + (lon - west) * squeeze * scale, 1),
            round(height - margin - (lat - south) * scale, 1),
        )
        for station, lon, lat in zip(stations, lons, lats, strict=True)
    ]


def map_labels(points: list[MapPoint]) -> list[tuple[str, float, float]]:
    """(county name, x, y): each county named at the middle of its stations on the map."""
    by_county: dict[str, list[MapPoint]] = {}
    for point in points:
        by_county.setdefault(point.station.county.name, []).append(point)
    return [
        (
            name,
            round(sum(p.x for p in members) / len(members), 1),
            round(min(p.y for p in members) - 10, 1),
        )
        for name, members in sorted(by_county.items())
    ]


def counties_of(region_code: str) -> QuerySet[Division]:
    """Counties under a region prefix ("" for the whole province)."""
    return Division.objects.filter(level=Division.Level.COUNTY, code__startswith=region_code)


def counties_with_stations() -> QuerySet[Division]:
    return Division.objects.filter(level=Division.Level.COUNTY, stations__active=True).distinct()


def stations_search(*, county: str = "", level: str = "", text: str = "") -> QuerySet[Station]:
    """Active stations for the public, by county, level and words of the name or address."""
    stations = Station.objects.filter(active=True).select_related("county")
    if county:
        stations = stations.filter(county_id=county)
    if level:
        stations = stations.filter(level=level)
    if text.strip():
        stations = stations.filter(
            Q(name__contains=text.strip()) | Q(address__contains=text.strip())
        )
    return stations


def pharmacies_search(*, county: str = "", category: str = "", text: str = "") -> QuerySet:
    """Offers of 集采 drugs at designated pharmacies, by county, drug type and drug name."""
    offers = CentralPurchaseOffer.objects.select_related("pharmacy").filter(
        pharmacy__kind=Institution.Kind.PHARMACY
    )
    if county:
        offers = offers.filter(pharmacy__division_code=county)
    if category:
        offers = offers.filter(category=category)
    if text.strip():
        offers = offers.filter(drug_name__contains=text.strip())
    return offers.order_by("pharmacy__division_code", "pharmacy__name", "drug_name")
