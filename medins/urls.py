from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from medins import reveal, views

urlpatterns = [
    path("", views.home, name="home"),
    path("persons/<str:psn_no>/reveal/", reveal.person_reveal_view, name="person-reveal"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # Each app's own pages, under the prefixes its urls.py gives them.
    path("", include("screening.urls")),
    path("", include("screening.audit.urls")),
    path("", include("settlement.urls")),
    path("settlement/policy/", include("settlement.policy.urls")),
    path("", include("services.urls")),
]

# A lost database answers 503 with Retry-After (the API's JSON under /api/), not a 500.
handler500 = "medins.serving.server_error"
