"""Rule configuration: defaults from the rule modules, versions from the database."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from screening.models import RuleConfigVersion
from screening.rules import ALL_RULES

RULES_BY_CODE = {module.RULE.code: module for module in ALL_RULES}


class RuleConfigError(ValueError):
    """A configuration change an administrator can read and correct."""


def rule_config_defaults() -> dict[str, dict[str, Any]]:
    return {
        code: {
            "enabled": True,
            "sev_deg": module.RULE.sev_deg,
            "thresholds": module.RULE.defaults(),
        }
        for code, module in RULES_BY_CODE.items()
    }


def rule_config_in_force(*, at: datetime) -> dict[str, dict[str, Any]]:
    """Every rule's configuration at a moment: its defaults overlaid by the version in force."""
    in_force = RuleConfigVersion.objects.filter(effective_from__lte=at).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gt=at)
    )
    return _overlaid(in_force)


# The pre-check answers many times a second and the versions change a few times a year: it
# reads them at most this often. A change made in this process counts at once; one made in
# another process within this many seconds.
RECENT_VERSIONS_SECONDS = 5.0
_recent: dict[str, Any] = {"read_at": None, "versions": []}
_recent_lock = threading.Lock()


def rule_config_in_force_recent(*, at: datetime) -> dict[str, dict[str, Any]]:
    """rule_config_in_force from the versions as read at most RECENT_VERSIONS_SECONDS ago."""
    with _recent_lock:
        read_at = _recent["read_at"]
        if read_at is None or time.monotonic() - read_at > RECENT_VERSIONS_SECONDS:
            _recent["versions"] = list(RuleConfigVersion.objects.all())
            _recent["read_at"] = time.monotonic()
        versions = _recent["versions"]
    return _overlaid(
        version
        for version in versions
        if version.effective_from <= at
        and (version.effective_to is None or version.effective_to > at)
    )


def forget_recent_versions() -> None:
    """The next rule_config_in_force_recent reads the versions again."""
    with _recent_lock:
        _recent["read_at"] = None


def _overlaid(in_force: Iterable[RuleConfigVersion]) -> dict[str, dict[str, Any]]:
    config = rule_config_defaults()
    for version in in_force:
        if version.rule_code not in config:
            continue  # a retired rule's old versions stay for the record
        entry = config[version.rule_code]
        entry["enabled"] = version.enabled
        entry["sev_deg"] = version.sev_deg or entry["sev_deg"]
        entry["thresholds"] = {**entry["thresholds"], **version.thresholds}
        entry["version_id"] = version.pk
    return config


def _validate(rule_code: str, sev_deg: int | None, thresholds: dict[str, Any]) -> None:
    module = RULES_BY_CODE.get(rule_code)
    if module is None:
        raise RuleConfigError(_("Unknown rule %(code)s.") % {"code": rule_code})
    if sev_deg is not None and sev_deg not in (1, 2, 3):
        raise RuleConfigError(_("Severity must be 1, 2 or 3, not %(value)s.") % {"value": sev_deg})
    declared = {threshold.name: threshold for threshold in module.RULE.thresholds}
    for name, value in thresholds.items():
        threshold = declared.get(name)
        if threshold is None:
            raise RuleConfigError(
                _("Rule %(code)s has no threshold %(name)s.") % {"code": rule_code, "name": name}
            )
        if not isinstance(value, type(threshold.default)) and not (
            isinstance(threshold.default, float) and isinstance(value, int)
        ):
            raise RuleConfigError(
                _("Threshold %(name)s of %(code)s must be like %(default)r.")
                % {"name": name, "code": rule_code, "default": threshold.default}
            )
        if isinstance(value, int | float) and not threshold.minimum <= value <= threshold.maximum:
            raise RuleConfigError(
                _("Threshold %(name)s of %(code)s must lie between %(low)s and %(high)s.")
                % {
                    "name": name,
                    "code": rule_code,
                    "low": threshold.minimum,
                    "high": threshold.maximum,
                }
            )


@transaction.atomic
def rule_config_change(
    *,
    rule_code: str,
    enabled: bool,
    sev_deg: int | None,
    thresholds: dict[str, Any],
    effective_from: datetime,
    author: Any,
    note: str = "",
) -> RuleConfigVersion:
    """Record a new version from effective_from; the version it replaces ends there."""
    _validate(rule_code, sev_deg, thresholds)
    later = RuleConfigVersion.objects.filter(rule_code=rule_code, effective_from__gt=effective_from)
    next_start = later.order_by("effective_from").values_list("effective_from", flat=True).first()
    RuleConfigVersion.objects.filter(rule_code=rule_code, effective_from__lt=effective_from).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gt=effective_from)
    ).update(effective_to=effective_from)
    forget_recent_versions()
    transaction.on_commit(forget_recent_versions)  # read again once the change is visible
    return RuleConfigVersion.objects.create(
        rule_code=rule_code,
        enabled=enabled,
        sev_deg=sev_deg,
        thresholds=thresholds,
        effective_from=effective_from,
        effective_to=next_start,
        author=author,
        note=note,
    )
