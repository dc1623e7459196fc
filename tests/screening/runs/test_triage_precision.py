"""A stored run's triage uses each rule's confirmed precision once auditors judged some."""

from __future__ import annotations

import pytest

from screening.audit.models import Dismissal, DismissalReason
from screening.models import Flag, ScreeningRun
from screening.services import runs
from screening.services.population import rule_precision
from tests.factories import make_user, shanghai
from tests.screening.runs.conftest import WINDOW


def screen(callbacks, day: int) -> ScreeningRun:
    with callbacks(execute=True):
        run = runs.screening_run_start(
            window_start=WINDOW[0], window_end=WINDOW[1], at=shanghai(2026, 4, day, 2, 0)
        )
    run.refresh_from_db()
    assert run.status == ScreeningRun.Status.DONE
    return run


def score(line_id: str) -> float:
    return Flag.objects.get(rule_code="OVER_PRICE", feedetl_sn=line_id).triage_score


def dismiss(line_id: str, reason: str) -> None:
    flag = Flag.objects.get(rule_code="OVER_PRICE", feedetl_sn=line_id)
    flag.status = Flag.Status.DISMISSED
    flag.save(update_fields=["status"])
    Dismissal.objects.create(
        flag=flag, reason=reason, by=make_user("auditor"), at=shanghai(2026, 4, 1, 9, 0)
    )


@pytest.fixture
def first(screenable, django_capture_on_commit_callbacks) -> float:
    screen(django_capture_on_commit_callbacks, day=1)
    return score("F2")


class TestTriagePrecision:
    def test_a_false_positive_verdict_lowers_the_rules_flags(
        self, first, django_capture_on_commit_callbacks
    ):
        dismiss("F1", DismissalReason.FALSE_POSITIVE)

        screen(django_capture_on_commit_callbacks, day=2)

        assert rule_precision()["OVER_PRICE"] == 0.0
        assert first > 0
        assert score("F2") == 0.0  # no confirmed precision: nothing expected back

    def test_confirmations_raise_them(self, first, django_capture_on_commit_callbacks):
        Flag.objects.filter(feedetl_sn="F1").update(status=Flag.Status.CONFIRMED)

        screen(django_capture_on_commit_callbacks, day=2)

        assert rule_precision()["OVER_PRICE"] == 1.0
        assert score("F2") > first

    def test_a_policy_exception_says_nothing_about_the_rule(
        self, first, django_capture_on_commit_callbacks
    ):
        dismiss("F1", DismissalReason.POLICY_EXCEPTION)

        screen(django_capture_on_commit_callbacks, day=2)

        assert "OVER_PRICE" not in rule_precision()
        assert score("F2") == first  # still the prior of an unjudged rule
