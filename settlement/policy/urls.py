"""URLs of the policy back office, under settlement/policy/ (included by settlement/urls.py)."""

from django.urls import path

from settlement.policy import views

app_name = "policy"

urlpatterns = [
    path("versions/", views.policy_versions, name="versions"),
    path("versions/<str:code>/", views.policy_version, name="version"),
    path("refunds/", views.refund_runs, name="refund-runs"),
    path("refunds/new/", views.refund_run_new, name="refund-run-new"),
    path("refunds/<int:pk>/", views.refund_run, name="refund-run"),
    path("refunds/<int:pk>/decision/", views.refund_run_decision, name="refund-run-decision"),
    path("refunds/<int:pk>/refunds.csv", views.refund_run_csv, name="refund-run-csv"),
]
