"""The pre-check's reading of the rule configuration: versions kept for a few seconds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from screening.models import RuleConfigVersion
from screening.services import config
from screening.services.config import rule_config_change, rule_config_in_force_recent
from tests.factories import make_user, shanghai

AT = shanghai(2026, 3, 1, 9)


def severity(at=AT) -> int:
    return rule_config_in_force_recent(at=at)["DUP_EXAM"]["sev_deg"]


@pytest.mark.django_db
class TestRecentVersions:
    def test_a_change_made_here_counts_at_once(self):
        assert severity() == 2
        rule_config_change(
            rule_code="DUP_EXAM",
            enabled=True,
            sev_deg=3,
            thresholds={},
            effective_from=AT - timedelta(days=1),
            author=make_user("admin"),
        )

        assert severity() == 3

    def test_a_change_made_elsewhere_counts_once_the_versions_are_read_again(self, monkeypatch):
        assert severity() == 2
        # Written by another process: this one has not been told.
        RuleConfigVersion.objects.create(
            rule_code="DUP_EXAM", enabled=True, sev_deg=3, effective_from=AT - timedelta(1)
        )

        assert severity() == 2
        monkeypatch.setattr(config, "RECENT_VERSIONS_SECONDS", 0)
        assert severity() == 3

    def test_effective_dates_apply_to_the_versions_read(self):
        RuleConfigVersion.objects.create(
            rule_code="DUP_EXAM",
            enabled=True,
            sev_deg=3,
            effective_from=AT,
            effective_to=AT + timedelta(days=7),
        )

        assert [severity(AT - timedelta(1)), severity(AT), severity(AT + timedelta(7))] == [2, 3, 2]
        assert rule_config_in_force_recent(at=AT) == config.rule_config_in_force(at=AT)
