"""Runs over stored data: partitions, counts, timings, configuration, re-runs and resumes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from screening.models import Flag, ScreeningPartition, ScreeningRun, SubjectScore
from screening.services import runs
from screening.services.config import rule_config_change, rule_config_in_force
from tests.factories import make_user, shanghai
from tests.screening.runs.conftest import WINDOW

AT = shanghai(2026, 4, 1, 2, 0)


def start(**options) -> ScreeningRun:
    options.setdefault("partitions", 2)
    return runs.screening_run_start(window_start=WINDOW[0], window_end=WINDOW[1], at=AT, **options)


def run_through(django_capture_on_commit_callbacks, **options) -> ScreeningRun:
    """Start a run and let its queued tasks (eager here) execute to the end."""
    with django_capture_on_commit_callbacks(execute=True):
        run = start(**options)
    run.refresh_from_db()
    return run


class TestStart:
    def test_records_window_scope_configuration_and_partitions(self, screenable):
        run = start(queue=False, institutions=["H37010200001"])

        assert run.status == ScreeningRun.Status.RUNNING
        assert run.scope == {"institutions": ["H37010200001"], "divisions": []}
        assert run.config == rule_config_in_force(at=AT)
        parts = list(run.partitions.order_by("number"))
        assert [(p.psn_from, p.psn_to) for p in parts] == [
            ("", "370102000003"),
            ("370102000003", ""),
        ]
        assert run.partitions_total == 2
        assert all(p.status == ScreeningPartition.Status.PENDING for p in parts)

    def test_refuses_a_window_that_ends_before_it_starts(self, screenable):
        with pytest.raises(runs.ScreeningError, match="ends"):
            runs.screening_run_start(window_start=WINDOW[1], window_end=WINDOW[0], at=AT)

    def test_refuses_unknown_institutions_by_name(self, screenable):
        with pytest.raises(runs.ScreeningError, match="H99"):
            start(institutions=["H99"])
        assert not ScreeningRun.objects.exists()


class TestExecution:
    def test_runs_every_partition_and_sums_counts_and_timings(
        self, screenable, django_capture_on_commit_callbacks
    ):
        run = run_through(django_capture_on_commit_callbacks)

        assert run.status == ScreeningRun.Status.DONE
        assert run.partitions_done == 2
        assert run.counts["OVER_PRICE"] == 2
        assert {"read", "compute", "write", "population_read"} <= set(run.timings)
        assert sorted(p.counts.get("OVER_PRICE", 0) for p in run.partitions.all()) == [1, 1]
        flag = Flag.objects.get(rule_code="OVER_PRICE", feedetl_sn="F1")
        assert flag.amount_at_risk == 15  # (25 − 10) × 1
        assert flag.first_run_id == flag.last_run_id == run.pk
        assert flag.triage_score > 0
        assert SubjectScore.objects.filter(run=run, kind="institution").exists()

    def test_a_partition_screens_only_its_persons(self, screenable):
        run = start(queue=False)
        first = run.partitions.get(number=0)

        runs.screening_partition_run(partition_id=first.pk)

        assert list(Flag.objects.values_list("psn_no", flat=True)) == ["370102000001"]
        run.refresh_from_db()
        assert (run.partitions_done, run.status) == (1, ScreeningRun.Status.RUNNING)

    def test_a_scope_of_other_institutions_finds_nothing_here(
        self, screenable, django_capture_on_commit_callbacks
    ):
        from tests.factories import InstitutionFactory

        InstitutionFactory(code="H37010200009")
        run = run_through(django_capture_on_commit_callbacks, institutions=["H37010200009"])

        assert run.status == ScreeningRun.Status.DONE
        assert not Flag.objects.filter(rule_code="OVER_PRICE").exists()

    def test_a_second_delivery_of_a_done_partition_does_nothing(self, screenable):
        run = start(queue=False, partitions=1)
        [partition] = run.partitions.all()
        runs.screening_partition_run(partition_id=partition.pk)

        runs.screening_partition_run(partition_id=partition.pk)

        partition.refresh_from_db()
        assert partition.attempts == 1
        assert ScreeningRun.objects.get(pk=run.pk).partitions_done == 1


class TestRerun:
    def test_rerunning_a_partition_updates_flags_and_keeps_the_decision(self, screenable):
        run = start(queue=False, partitions=1)
        [partition] = run.partitions.all()
        runs.screening_partition_run(partition_id=partition.pk)
        Flag.objects.filter(feedetl_sn="F1").update(status=Flag.Status.CONFIRMED)
        line = screenable.lines[0]
        line.unit_price = line.amount = 30
        line.save()
        ScreeningPartition.objects.filter(pk=partition.pk).update(
            status=ScreeningPartition.Status.PENDING
        )

        runs.screening_partition_run(partition_id=partition.pk)

        assert Flag.objects.filter(rule_code="OVER_PRICE").count() == 2
        flag = Flag.objects.get(feedetl_sn="F1", rule_code="OVER_PRICE")
        assert flag.amount_at_risk == 20  # updated: (30 − 10) × 1
        assert flag.status == Flag.Status.CONFIRMED

    def test_a_second_run_updates_the_same_flags(
        self, screenable, django_capture_on_commit_callbacks
    ):
        first = run_through(django_capture_on_commit_callbacks)
        ids = set(Flag.objects.values_list("flag_id", flat=True))
        Flag.objects.filter(feedetl_sn="F2").update(status=Flag.Status.DISMISSED)

        second = run_through(django_capture_on_commit_callbacks)

        assert set(Flag.objects.values_list("flag_id", flat=True)) == ids
        flag = Flag.objects.get(feedetl_sn="F2", rule_code="OVER_PRICE")
        assert (flag.first_run_id, flag.last_run_id) == (first.pk, second.pk)
        assert flag.status == Flag.Status.DISMISSED


class TestResume:
    def test_a_partition_whose_worker_died_is_run_again_by_the_sweep(
        self, screenable, django_capture_on_commit_callbacks
    ):
        run = start(queue=False)
        dead, alive = run.partitions.order_by("number")
        runs.screening_partition_run(partition_id=alive.pk)
        died_at = AT - runs.PARTITION_LEASE - timedelta(minutes=1)
        ScreeningPartition.objects.filter(pk=dead.pk).update(
            status=ScreeningPartition.Status.RUNNING, claimed_at=died_at, attempts=1
        )

        with django_capture_on_commit_callbacks(execute=True):
            queued = runs.screening_runs_resume(at=AT + timedelta(hours=1))

        assert queued == 1
        dead.refresh_from_db()
        run.refresh_from_db()
        assert (dead.status, dead.attempts) == (ScreeningPartition.Status.DONE, 2)
        assert run.status == ScreeningRun.Status.DONE
        assert run.counts["OVER_PRICE"] == 2

    def test_a_live_claim_is_left_to_its_worker(self, screenable, settings):
        from django.utils import timezone

        run = start(queue=False, partitions=1)
        [partition] = run.partitions.all()
        ScreeningPartition.objects.filter(pk=partition.pk).update(
            status=ScreeningPartition.Status.RUNNING, claimed_at=timezone.now()
        )

        runs.screening_partition_run(partition_id=partition.pk)  # a duplicate message

        partition.refresh_from_db()
        assert partition.status == ScreeningPartition.Status.RUNNING
        assert not Flag.objects.exists()


class TestConfiguration:
    def test_a_run_records_and_obeys_the_version_in_force(
        self, screenable, django_capture_on_commit_callbacks
    ):
        admin = make_user("admin", region_code="")
        version = rule_config_change(
            rule_code="OVER_PRICE",
            enabled=False,
            sev_deg=None,
            thresholds={},
            effective_from=AT - timedelta(days=1),
            author=admin,
            note="price list under revision",
        )
        rule_config_change(  # later than the run: not its configuration
            rule_code="OVER_PRICE",
            enabled=True,
            sev_deg=2,
            thresholds={},
            effective_from=AT + timedelta(days=1),
            author=admin,
        )

        run = run_through(django_capture_on_commit_callbacks)

        assert run.config["OVER_PRICE"]["enabled"] is False
        assert run.config["OVER_PRICE"]["version_id"] == version.pk
        assert "OVER_PRICE" not in run.counts
        assert not Flag.objects.filter(rule_code="OVER_PRICE").exists()

    def test_each_change_is_a_version_with_author_and_effective_dates(self, db):
        admin = make_user("admin", region_code="")
        first = rule_config_change(
            rule_code="DUP_EXAM",
            enabled=True,
            sev_deg=3,
            thresholds={},
            effective_from=AT,
            author=admin,
        )
        second = rule_config_change(
            rule_code="DUP_EXAM",
            enabled=True,
            sev_deg=2,
            thresholds={},
            effective_from=AT + timedelta(days=7),
            author=admin,
            note="back to the default",
        )

        first.refresh_from_db()
        assert first.effective_to == second.effective_from
        assert (second.author, second.effective_to) == (admin, None)
        assert rule_config_in_force(at=AT + timedelta(days=1))["DUP_EXAM"]["sev_deg"] == 3
        assert rule_config_in_force(at=AT + timedelta(days=8))["DUP_EXAM"]["sev_deg"] == 2


class TestScheduled:
    def test_daily_review_screens_yesterday_without_the_models(
        self, screenable, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            run = runs.screening_run_scheduled(
                kind=ScreeningRun.Kind.DAILY, at=shanghai(2026, 3, 4, 1, 0)
            )

        run.refresh_from_db()
        assert (run.window_start, run.window_end) == (WINDOW[0] + timedelta(days=2),) * 2
        assert run.status == ScreeningRun.Status.DONE
        assert run.counts == {"OVER_PRICE": 1}  # the line of 3 March, not of the 4th
        assert not SubjectScore.objects.filter(run=run).exists()

    def test_monthly_screening_covers_last_month_with_the_models(
        self, screenable, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            run = runs.screening_run_scheduled(
                kind=ScreeningRun.Kind.MONTHLY, at=shanghai(2026, 4, 1, 1, 0)
            )

        run.refresh_from_db()
        assert (run.window_start, run.window_end) == WINDOW
        assert run.status == ScreeningRun.Status.DONE
        assert run.counts["OVER_PRICE"] == 2
        assert SubjectScore.objects.filter(run=run, subject_code="H37010200001").exists()

    def test_the_beat_task_starts_the_scheduled_run(self, screenable, monkeypatch):
        from screening import tasks

        seen = {}
        monkeypatch.setattr(
            runs,
            "screening_run_scheduled",
            lambda *, kind, at: seen.setdefault("run", start(queue=False, kind=kind)),
        )

        run_id = tasks.screening_scheduled.apply(kwargs={"kind": "daily"}).get()

        assert run_id == seen["run"].pk
        assert seen["run"].kind == ScreeningRun.Kind.DAILY


class TestScreenCommand:
    @pytest.mark.django_db(transaction=True)  # autocommit, as on a terminal
    def test_screens_the_window_in_this_process_and_reports(self, screenable, capsys):
        call_command("screen", "--from", "2026-03-01", "--to", "2026-03-31", "--partitions", "2")

        out = capsys.readouterr().out
        run = ScreeningRun.objects.get()
        assert run.status == ScreeningRun.Status.DONE
        assert f"Run #{run.pk} 2026-03-01–2026-03-31: done, " in out
        assert "OVER_PRICE" in out
        assert "in 2 partitions" in out
        assert Flag.objects.filter(rule_code="OVER_PRICE").count() == 2

    def test_without_a_window_it_says_what_to_give(self, screenable):
        with pytest.raises(CommandError, match="--from"):
            call_command("screen")

    def test_an_unknown_institution_is_named(self, screenable):
        with pytest.raises(CommandError, match="H0000"):
            call_command(
                "screen", "--from", "2026-03-01", "--to", "2026-03-31", "--institution", "H0000"
            )

    def test_resume_of_an_unknown_run_is_refused(self, screenable):
        with pytest.raises(CommandError, match="No screening run #99"):
            call_command("screen", "--resume", "99")
