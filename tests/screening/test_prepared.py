"""Rules prepared once and run over many inputs find what screen_frames finds on each."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from screening.engine import screen_frames
from screening.prepared import PreparedRules
from screening.rules import ALL_RULES, peer_anomaly, practitioner_anomaly
from settlement.api.precheck import PRECHECK_RULES
from tests.screening.frames import of_person, province_with_refunds

RUN_AT = datetime(2026, 1, 1, 8, tzinfo=ZoneInfo("Asia/Shanghai"))
MODEL_RULES = [peer_anomaly, practitioner_anomaly]
LINE_RULES = [
    module for module in ALL_RULES if "fee_lines" in module.RULE.reads and module not in MODEL_RULES
]


@pytest.fixture(scope="module")
def halves(tmp_path_factory) -> list[dict[str, pl.DataFrame]]:
    """A small generated province with refunds, as two inputs: even and odd persons."""
    out = tmp_path_factory.mktemp("province")
    frames = province_with_refunds(out, persons=300, months=2, seed=7, every=11)
    persons = frames["persons"]["psn_no"].sort()
    halves = []
    for parity in (0, 1):
        chosen = persons.gather_every(2, offset=parity)
        halves.append(
            {
                name: frame.filter(pl.col("psn_no").is_in(chosen.implode()))
                if "psn_no" in frame.columns
                else frame
                for name, frame in frames.items()
            }
        )
    return halves


def window(frames: dict[str, pl.DataFrame]) -> dict:
    days = frames["fee_lines"]["fee_ocur_time"].dt.date()
    return {"window_start": days.min(), "window_end": days.max(), "detected_at": RUN_AT}


def by_flag(result) -> pl.DataFrame:
    return result.flags.sort("flag_id")


@pytest.mark.parametrize(
    "rules", [PRECHECK_RULES, LINE_RULES], ids=["pre-check rules", "every fee-line rule"]
)
def test_each_run_finds_what_screen_frames_finds(halves, rules):
    config = {
        "DUP_EXAM": {"sev_deg": 3},
        "EXCESS_QUANTITY": {"thresholds": {"other_supply_days": 3}},
        "OVER_PRICE": {"enabled": False},
    }
    prepared = PreparedRules(rules, config)

    for frames in [*halves, halves[0]]:  # the same plans, run again on other frames
        expected = screen_frames(
            {name: frame.lazy() for name, frame in frames.items()},
            rules=rules,
            config=config,
            **window(frames),
        )
        found = prepared.run(frames, **window(frames))

        assert by_flag(found).equals(by_flag(expected))
        assert found.counts == expected.counts
        assert "OVER_PRICE" not in found.counts
    assert sum(found.counts.values()) > 0


def test_the_window_keeps_the_days_it_names(halves):
    prepared = PreparedRules(PRECHECK_RULES, {})
    frames = halves[1]
    whole = prepared.run(frames, **window(frames))
    first_day = window(frames)["window_start"]

    one_day = prepared.run(frames, window_start=first_day, window_end=first_day, detected_at=RUN_AT)

    assert 0 < one_day.flags.height < whole.flags.height
    assert set(one_day.flags["event_time"].dt.date()) == {first_day}


def test_frames_left_out_are_empty(halves):
    frames = {"fee_lines": halves[0]["fee_lines"], "catalog": halves[0]["catalog"]}
    lazy = {name: frame.lazy() for name, frame in frames.items()}

    found = PreparedRules(PRECHECK_RULES, {}).run(frames, **window(frames))

    expected = screen_frames(lazy, rules=PRECHECK_RULES, **window(frames))
    assert by_flag(found).equals(by_flag(expected))
    assert found.flags.height > 0


def test_a_rule_that_collects_while_building_is_refused():
    with pytest.raises(RuntimeError, match="was read while the rules' plans were built"):
        PreparedRules(MODEL_RULES, {})


def test_a_claim_runs_only_the_rules_that_apply_and_finds_what_all_find(halves):
    """One person's frames, as a pre-check gives them: the rules whose `applies` says no are
    left out of the run, and the flags are those of every rule run."""
    prepared = PreparedRules(PRECHECK_RULES, {})
    frames = halves[0]
    left_out = 0
    for psn_no in frames["persons"]["psn_no"].sort()[:40]:
        own = of_person(frames, psn_no)
        if own["fee_lines"].is_empty():
            continue
        expected = screen_frames(
            {name: frame.lazy() for name, frame in own.items()},
            rules=PRECHECK_RULES,
            **window(own),
        )

        found = prepared.run(own, **window(own))

        assert by_flag(found).equals(by_flag(expected))
        assert found.counts == expected.counts
        left_out += len(PRECHECK_RULES) - len(prepared.applying(own))
    assert left_out > 0
