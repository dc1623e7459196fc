"""URLs of this app, mounted at the site root by medins/urls.py: each path carries its own
prefix, here services/ (back office), public/ (open to all) and api/services/ (third parties)."""

from django.urls import path

from services import api
from services.views import care, network, public, window

app_name = "services"

urlpatterns = [
    path("services/", window.workbench, name="workbench"),
    path("services/find/", window.person_find, name="find"),
    path("services/persons/<str:psn_no>/", window.person_page, name="person"),
    path(
        "services/persons/<str:psn_no>/start/<str:item_code>/",
        window.request_new,
        name="request-new",
    ),
    path("services/persons/<str:psn_no>/grants/", care.consent_grant, name="grant"),
    path(
        "services/persons/<str:psn_no>/grants/<int:grant_id>/revoke/",
        care.consent_revoke,
        name="grant-revoke",
    ),
    path("services/requests/<str:number>/", window.request_page, name="request"),
    path("services/requests/<str:number>/<str:action>/", window.request_act, name="request-act"),
    path("services/overdue/", window.overdue, name="overdue"),
    path("services/outbox/", window.outbox, name="outbox"),
    path("services/network/", network.network_map, name="network"),
    path("services/dashboard/", network.station_dashboard, name="dashboard"),
    path("services/complaints/", care.complaints, name="complaints"),
    path("services/complaints/new/", care.complaint_new, name="complaint-new"),
    path("services/complaints/<str:number>/<str:step>/", care.complaint_act, name="complaint-act"),
    path("public/stations/", public.stations, name="public-stations"),
    path("public/pharmacies/", public.pharmacies, name="public-pharmacies"),
    path(
        "api/services/persons/<str:psn_no>/<str:category>/",
        api.PersonDataView.as_view(),
        name="api-person-data",
    ),
]
