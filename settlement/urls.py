"""URLs of this app, mounted at the site root by medins/urls.py: each path carries its own
prefix, here api/ (hospital systems) and settlement/ (back office)."""

from django.urls import path, re_path

from settlement.api import hospital, views

urlpatterns = [
    path("api/v1/settlements/", views.SettlementListView.as_view(), name="api-settlements"),
    path(
        "api/v1/settlements/<str:setl_id>/",
        views.SettlementDetailView.as_view(),
        name="api-settlement",
    ),
    path(
        "api/v1/settlements/<str:setl_id>/reverse/",
        views.SettlementReverseView.as_view(),
        name="api-settlement-reverse",
    ),
    path("api/v1/batches/", views.BatchUploadView.as_view(), name="api-batches"),
    path("api/v1/batches/<str:job_id>/", views.BatchJobView.as_view(), name="api-batch"),
    path(
        "api/v1/batches/<str:job_id>/report/",
        views.BatchReportView.as_view(),
        name="api-batch-report",
    ),
    path("api/v1/prechecks/", views.PrecheckView.as_view(), name="api-prechecks"),
    path(
        "api/v1/prechecks/feedback/",
        views.PrecheckFeedbackView.as_view(),
        name="api-precheck-feedback",
    ),
    path(
        "api/v1/prechecks/<str:task_id>/",
        views.PrecheckDetailView.as_view(),
        name="api-precheck",
    ),
    path("api/v1/flags/", hospital.FlagListView.as_view(), name="api-flags"),
    path("api/v1/cases/", hospital.CaseListView.as_view(), name="api-cases"),
    path("api/v1/cases/<str:case_id>/", hospital.CaseDetailView.as_view(), name="api-case"),
    path(
        "api/v1/cases/<str:case_id>/appeal/",
        hospital.CaseAppealView.as_view(),
        name="api-case-appeal",
    ),
    path("api/v1/bed-checks/", hospital.BedCheckListView.as_view(), name="api-bed-checks"),
    path(
        "api/v1/bed-checks/<str:task_id>/",
        hospital.BedCheckRecordView.as_view(),
        name="api-bed-check",
    ),
    # Anything else under api/v1/ answers 404 in the API's JSON shape, not an HTML page.
    re_path(r"^api/v1/", views.api_not_found, name="api-not-found"),
]
