"""The back office's screening runs: who sees them, live progress, starting one."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from screening.models import ScreeningRun
from screening.services import runs
from tests.factories import shanghai

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def a_run(**changes) -> ScreeningRun:
    values = {
        "window_start": date(2026, 3, 1),
        "window_end": date(2026, 3, 31),
        "created_at": shanghai(2026, 4, 1, 2, 0),
        "status": ScreeningRun.Status.RUNNING,
        "partitions_total": 4,
        "partitions_done": 1,
        "counts": {"OVER_PRICE": 3, "DUP_CHARGE": 2},
        "config": {"OVER_PRICE": {"enabled": True, "sev_deg": 1, "thresholds": {}}},
        **changes,
    }
    return ScreeningRun.objects.create(**values)


def start_form(**changes) -> dict[str, str]:
    return {"window_start": "2026-03-01", "window_end": "2026-03-31", **changes}


class TestAccess:
    @pytest.mark.parametrize(
        "who", ["jinan_auditor", "lixia_clerk", "jinan_manager", "qilu_hospital"]
    )
    def test_other_roles_may_neither_see_nor_start_runs(self, client, cast, who):
        client.force_login(getattr(cast, who))

        assert client.get(reverse("screening:runs")).status_code == 403
        assert client.post(reverse("screening:run-start"), start_form()).status_code == 403
        assert not ScreeningRun.objects.exists()

    def test_anonymous_users_are_sent_to_log_in(self, client, db):
        response = client.get(reverse("screening:runs"))

        assert response.status_code == 302
        assert "/accounts/login/" in response.url

    def test_the_top_bar_links_runs_for_supervisors_only(self, client, cast):
        client.force_login(cast.jinan_supervisor)
        assert reverse("screening:runs") in client.get(reverse("home")).content.decode()

        client.force_login(cast.jinan_auditor)
        assert reverse("screening:runs") not in client.get(reverse("home")).content.decode()


class TestRunList:
    def test_lists_runs_with_progress_and_polls_while_one_is_live(self, client, cast):
        run = a_run()
        client.force_login(cast.admin)

        page = client.get(reverse("screening:runs"), **EN).content.decode()

        assert reverse("screening:run-detail", args=[run.pk]) in page
        assert "1/4" in page
        assert 'aria-valuenow="25"' in page
        assert 'hx-trigger="every 2s"' in page

    def test_the_poll_gets_only_the_table(self, client, cast):
        a_run()
        client.force_login(cast.admin)

        part = client.get(reverse("screening:runs"), HTTP_HX_REQUEST="true", **EN).content.decode()

        assert part.lstrip().startswith('<section id="run-table"')
        assert "<form" not in part

    def test_stops_polling_when_every_run_has_ended(self, client, cast):
        a_run(status=ScreeningRun.Status.DONE, partitions_done=4)
        client.force_login(cast.admin)

        page = client.get(reverse("screening:runs"), **EN).content.decode()

        assert "hx-trigger" not in page
        assert 'aria-valuenow="100"' in page


class TestRunDetail:
    def test_shows_counts_timings_partitions_and_configuration(self, client, cast):
        run = a_run(timings={"read": 1.5})
        client.force_login(cast.jinan_supervisor)

        page = client.get(reverse("screening:run-detail", args=[run.pk]), **EN).content.decode()

        assert "OVER_PRICE" in page
        assert "1.50" in page
        assert "Configuration used" in page
        assert "1 of 4 partitions" in page

    def test_an_unknown_run_is_not_found(self, client, cast):
        client.force_login(cast.admin)

        assert client.get(reverse("screening:run-detail", args=[999])).status_code == 404


class TestStart:
    def test_an_admin_starts_a_run_over_the_chosen_scope(self, client, cast, monkeypatch):
        queued = []
        monkeypatch.setattr(runs, "screening_run_queue", lambda *, run_id: queued.append(run_id))
        client.force_login(cast.admin)

        with_callbacks = client.post(
            reverse("screening:run-start"),
            start_form(divisions="370102", institutions="H37010200001"),
        )

        run = ScreeningRun.objects.get()
        assert with_callbacks.status_code == 302
        assert with_callbacks.url == reverse("screening:run-detail", args=[run.pk])
        assert run.scope == {"divisions": ["370102"], "institutions": ["H37010200001"]}
        assert run.started_by == cast.admin
        assert (run.window_start, run.window_end) == (date(2026, 3, 1), date(2026, 3, 31))
        assert run.config["OVER_PRICE"]["enabled"] is True

    def test_a_supervisors_run_covers_their_region(self, client, cast):
        client.force_login(cast.jinan_supervisor)

        client.post(reverse("screening:run-start"), start_form())

        assert ScreeningRun.objects.get().scope["divisions"] == ["3701"]

    def test_a_supervisor_may_not_screen_another_region(self, client, cast):
        client.force_login(cast.jinan_supervisor)

        response = client.post(reverse("screening:run-start"), start_form(divisions="3702"), **EN)

        assert response.status_code == 400
        assert "Outside your region 3701: 3702." in response.content.decode()
        assert not ScreeningRun.objects.exists()

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"window_end": "2026-02-01"}, "The window ends before it starts."),
            ({"window_start": ""}, "This field is required."),
            ({"divisions": "37x1"}, "Not a division code: 37x1."),
            ({"institutions": "H999"}, "Unknown institutions: H999."),
        ],
    )
    def test_bad_input_is_explained_on_the_page(self, client, cast, changes, message):
        client.force_login(cast.admin)

        response = client.post(reverse("screening:run-start"), start_form(**changes), **EN)

        assert response.status_code == 400
        assert message in response.content.decode()
        assert not ScreeningRun.objects.exists()
