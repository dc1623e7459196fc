"""A rule's `applies` says False only where its `find` finds nothing (screening/rules/base.py).

Checked on what the pre-check gives the rules: one person's lines and stays at a time, from
a generated province with refunds, under each rule's default thresholds and with all of
them at the least, then at the most, their ranges allow.
"""

from __future__ import annotations

import polars as pl
import pytest

from screening.rules import ALL_RULES
from tests.screening.frames import of_person, province_with_refunds

RULES_THAT_TELL = [module for module in ALL_RULES if hasattr(module, "applies")]
PERSONS = 120


@pytest.fixture(scope="module")
def person_frames(tmp_path_factory) -> list[dict[str, pl.DataFrame]]:
    out = tmp_path_factory.mktemp("province")
    frames = province_with_refunds(out, persons=PERSONS, months=3, seed=11, every=9)
    return [of_person(frames, psn_no) for psn_no in frames["persons"]["psn_no"].sort()]


def _findings(module, frames: dict[str, pl.DataFrame], thresholds: dict) -> int:
    read = {name: frames[name].lazy() for name in module.RULE.reads}
    return module.find(**read, **thresholds).collect().height


def _at(module, end: str) -> dict:
    """Every threshold at that end ("minimum" or "maximum") of its range (text ones stay)."""
    return {
        threshold.name: getattr(threshold, end)
        for threshold in module.RULE.thresholds
        if not isinstance(threshold.default, str)
    }


def test_some_rules_tell():
    codes = {module.RULE.code for module in RULES_THAT_TELL}
    assert {"OVERLAPPING_STAYS", "SPLIT_ADMISSION", "OVER_PRICE", "OVER_SCOPE_DRUG"} <= codes


@pytest.mark.parametrize("module", RULES_THAT_TELL, ids=lambda module: module.RULE.code)
def test_applies_is_false_only_where_nothing_is_found(person_frames, module):
    said_no = found = 0
    for frames in person_frames:
        for thresholds in (module.RULE.defaults(), _at(module, "minimum"), _at(module, "maximum")):
            findings = _findings(module, frames, thresholds)
            if not module.applies(frames):
                said_no += 1
                assert findings == 0, f"{module.RULE.code} said no to {frames['persons']}"
            found += findings
    assert said_no > 0  # it does tell some persons apart
    assert found > 0  # and some it must not tell apart
