"""Public pages, open without a login: find a station, find a pharmacy selling 集采 drugs."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from services import network
from services.models import CentralPurchaseOffer, StationLevel

SHOWN = 100  # rows a public search shows


@require_GET
def stations(request: HttpRequest) -> HttpResponse:
    county, level, text = (request.GET.get(k, "") for k in ("county", "level", "q"))
    found = network.stations_search(county=county, level=level, text=text)
    context = {
        "rows": found[:SHOWN],
        "count": found.count(),
        "counties": network.counties_with_stations(),
        "levels": StationLevel.choices,
        "county": county,
        "level": level,
        "q": text,
    }
    return render(request, "services/public_stations.html", context)


@require_GET
def pharmacies(request: HttpRequest) -> HttpResponse:
    county, category, text = (request.GET.get(k, "") for k in ("county", "category", "q"))
    found = network.pharmacies_search(county=county, category=category, text=text)
    context = {
        "rows": found[:SHOWN],
        "count": found.count(),
        "counties": network.counties_with_stations(),
        "categories": CentralPurchaseOffer.Category.choices,
        "county": county,
        "category": category,
        "q": text,
    }
    return render(request, "services/public_pharmacies.html", context)
