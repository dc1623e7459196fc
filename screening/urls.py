"""URLs of this app, mounted at the site root by medins/urls.py: each path carries its own
prefix, here screening/."""

from django.urls import path

from screening import views

app_name = "screening"
urlpatterns = [
    path("screening/runs/", views.run_list, name="runs"),
    path("screening/runs/start/", views.run_start, name="run-start"),
    path("screening/runs/<int:run_id>/", views.run_detail, name="run-detail"),
]
