"""Back-office pages of the network: the offline map with coverage, dashboards, outbox."""

from __future__ import annotations

from html import escape

from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from medins.models import Role
from medins.selectors import profile_of, role_of
from services import network, selectors
from services.dashboards import dashboard, per_station
from services.models import StationLevel
from services.views import options, service_staff_required

MAP_WIDTH, MAP_HEIGHT = 800, 560
LISTED = 100  # rows of the station table under the map


def _radius(request: HttpRequest) -> float:
    try:
        radius = float(request.GET.get("radius", network.DEFAULT_RADIUS_KM))
    except ValueError:
        return network.DEFAULT_RADIUS_KM
    return min(max(radius, 0.1), 50.0)


CIRCLE_RADIUS = {StationLevel.CITY_HALL: 8, StationLevel.VILLAGE: 3}  # others 5


def _circles(points: list[network.MapPoint], level_names: dict[str, str]) -> SafeString:
    """Each station's circle on the map, escaped as the template would (Django's escape is
    html.escape): built here in one pass rather than by a dozen template lookups, each
    escaped on its own, for each of hundreds of stations."""
    circles = []
    for point in points:
        s = point.station
        name, level, address = escape(s.name), escape(level_names[s.level]), escape(s.address)
        contact = f"{escape(s.contact_name)} {escape(s.contact_phone)}"
        circles.append(
            f'<circle cx="{point.x}" cy="{point.y}" r="{CIRCLE_RADIUS.get(s.level, 5)}"'
            f' class="lv-{escape(s.level)}" data-code="{escape(s.code)}">'
            f"<title>{name} · {level} · {address} · {contact}</title></circle>"
        )
    return mark_safe("".join(circles))


@require_GET
@service_staff_required
def network_map(request: HttpRequest) -> HttpResponse:
    """The stations the user may see on an inline SVG, filterable, with coverage per county."""
    role = role_of(request.user)
    if role not in (Role.ADMIN, Role.MANAGER, Role.CLERK):
        raise Http404(_("The service network is for its managers and clerks."))
    stations = selectors.stations_visible_to(request.user).filter(active=True)
    level, county = request.GET.get("level", ""), request.GET.get("county", "")
    if level:
        stations = stations.filter(level=level)
    if county:
        stations = stations.filter(county_id=county)
    region = "" if role == Role.ADMIN else profile_of(request.user).region_code
    counties = network.counties_of(region).filter(stations__isnull=False).distinct()
    shown = counties.filter(code=county) if county else counties
    radius = _radius(request)
    points = network.map_points(stations, width=MAP_WIDTH, height=MAP_HEIGHT)
    level_names = {value: str(label) for value, label in StationLevel.choices}
    listed = list(
        stations.annotate(item_count=Count("items")).order_by("county", "level", "code")[:LISTED]
    )
    for station in listed:  # get_level_display() hashes every lazy label each call
        station.level_name = level_names[station.level]
    context = {
        "points": points,
        "circles": _circles(points, level_names),
        "labels": network.map_labels(points),
        "listed": listed,
        "width": MAP_WIDTH,
        "height": MAP_HEIGHT,
        "levels": StationLevel.choices,
        "counties": counties,
        "level": level,
        "county": county,
        "radius": radius,
    }
    context["coverage"] = (
        network.coverage_by_county(counties=shown, radius_km=radius) if role != Role.CLERK else []
    )
    context["coverage_total"] = network.coverage_total(context["coverage"])
    return render(request, "services/network.html", context)


@require_GET
@service_staff_required
def station_dashboard(request: HttpRequest) -> HttpResponse:
    stations = selectors.stations_visible_to(request.user)
    code = request.GET.get("station", "")
    if code:
        stations = stations.filter(code=code)
    if role_of(request.user) not in (Role.ADMIN, Role.MANAGER, Role.CLERK):
        raise Http404(_("Dashboards are for the service network."))
    context = {
        "figures": dashboard(stations=stations, today=timezone.localdate()),
        "per_station": per_station(stations=stations, today=timezone.localdate())
        if role_of(request.user) != Role.CLERK
        else [],
        "stations": options(
            selectors.stations_visible_to(request.user).values_list("code", "name"), code
        ),
        "station": code,
    }
    return render(request, "services/dashboard.html", context)
