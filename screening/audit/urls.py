"""URLs of this app, mounted at the site root by medins/urls.py: each path carries its own
prefix, here audit/."""

from django.urls import path, re_path

from screening.audit.views import bedchecks, cases, dashboard, flags, queue, reports

app_name = "audit"
urlpatterns = [
    path("audit/", queue.queue, name="queue"),
    path("audit/queue/bulk/", queue.queue_bulk, name="queue-bulk"),
    re_path(r"^audit/queue/export\.(?P<fmt>csv|xlsx)$", queue.queue_export, name="queue-export"),
    path("audit/flags/<path:flag_id>/act/", flags.flag_act, name="flag-act"),
    path("audit/flags/<path:flag_id>/", flags.flag_detail, name="flag"),
    path("audit/cases/", cases.case_list, name="cases"),
    re_path(r"^audit/cases/export\.(?P<fmt>csv|xlsx)$", cases.case_export, name="case-export"),
    path("audit/cases/<int:case_id>/", cases.case_detail, name="case"),
    path("audit/cases/<int:case_id>/<slug:action>/", cases.case_act, name="case-act"),
    path(
        "audit/cases/<int:case_id>/files/<int:attachment_id>/",
        cases.attachment_download,
        name="attachment",
    ),
    path("audit/bed-checks/", bedchecks.bed_check_list, name="bed-checks"),
    path("audit/bed-checks/issue/", bedchecks.bed_check_issue, name="bed-check-issue"),
    path("audit/bed-checks/<int:task_id>/", bedchecks.bed_check_result, name="bed-check"),
    path("audit/dashboard/", dashboard.dashboard, name="dashboard"),
    re_path(
        r"^audit/dashboard/(?P<name>[a-z_]+)\.(?P<fmt>csv|xlsx)$",
        dashboard.dashboard_export,
        name="export",
    ),
    path("audit/reports/", reports.report_list, name="reports"),
    path("audit/reports/<int:report_id>/reward/", reports.report_reward, name="report-reward"),
]
