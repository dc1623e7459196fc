from datetime import date, datetime
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from django.utils import translation

from screening import engine
from screening.rules import dup_charge, over_price
from tests.screening.frames import catalog, fee_lines

CAPPED = "001201000010000"
RUN_AT = datetime(2025, 4, 1, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def frames(*times: str) -> dict[str, pl.LazyFrame]:
    lines = [{"med_list_codg": CAPPED, "pric": 1_500, "fee_ocur_time": time} for time in times]
    return {
        "fee_lines": fee_lines(lines),
        "catalog": catalog([{"med_list_codg": CAPPED, "pric_uplmt_amt": 1_000}]),
    }


def by_flag(result: engine.ScreenResult) -> pl.DataFrame:
    """The flags in one order: a rule's come in no promised order (polars joins on several
    threads; one run in ten or twenty put OVER_PRICE's two flags the other way round)."""
    return result.flags.sort("flag_id")


def screen(inputs, config=None, **window) -> engine.ScreenResult:
    return engine.screen_frames(
        inputs,
        rules=[over_price, dup_charge],
        config=config,
        window_start=window.get("start", date(2025, 3, 1)),
        window_end=window.get("end", date(2025, 3, 31)),
        detected_at=RUN_AT,
    )


class TestScreenFrames:
    def test_adds_rule_code_stable_flag_id_and_detected_at(self):
        result = screen(frames("2025-03-10 09:00"))

        [flag] = result.flags.to_dicts()
        assert flag["rule_code"] == "OVER_PRICE"
        assert flag["flag_id"] == "OVER_PRICE:F1"
        assert flag["detected_at"] == datetime(2025, 4, 1, 0, 30)  # Shanghai wall clock
        assert flag["amount_at_risk"] == 500
        assert list(result.flags.schema) == list(engine.FLAG_SCHEMA)

    def test_keeps_findings_whose_day_is_in_the_window_inclusive(self):
        times = ("2025-02-28 23:59", "2025-03-01 00:00", "2025-03-31 23:59", "2025-04-01 00:00")

        result = screen(frames(*times))

        assert sorted(result.flags["feedetl_sn"]) == ["F2", "F3"]

    def test_counts_every_rule_that_ran(self):
        result = screen(frames("2025-03-10 09:00", "2025-03-10 09:00"))

        assert result.counts == {"OVER_PRICE": 2, "DUP_CHARGE": 1}
        assert result.timings["total"] >= 0

    def test_a_missing_frame_is_an_empty_one(self):
        result = screen({})

        assert result.flags.is_empty()
        assert result.counts == {"OVER_PRICE": 0, "DUP_CHARGE": 0}

    def test_a_disabled_rule_does_not_run(self):
        result = screen(frames("2025-03-10 09:00"), {"OVER_PRICE": {"enabled": False}})

        assert result.counts == {"DUP_CHARGE": 0}

    def test_configured_thresholds_are_passed_to_the_rule(self):
        config = {"OVER_PRICE": {"thresholds": {"tolerance_fen": 500}}}

        assert screen(frames("2025-03-10 09:00"), config).flags.is_empty()

    def test_sev_deg_override(self):
        result = screen(frames("2025-03-10 09:00"), {"OVER_PRICE": {"sev_deg": 2}})

        assert result.flags["sev_deg"].to_list() == [2]

    def test_per_rule_timings_name_each_rule(self):
        result = engine.screen_frames(
            frames("2025-03-10 09:00"),
            rules=[over_price, dup_charge],
            window_start=date(2025, 3, 1),
            window_end=date(2025, 3, 31),
            detected_at=RUN_AT,
            per_rule_timings=True,
        )

        assert set(result.timings) == {"OVER_PRICE", "DUP_CHARGE", "net_refunds", "total"}
        assert result.counts["OVER_PRICE"] == 1

    def test_small_inputs_unoptimized_find_what_optimized_plans_find(self, monkeypatch):
        small = screen(frames("2025-03-10 09:00", "2025-03-10 09:00"))
        monkeypatch.setattr(engine, "UNOPTIMIZED_BELOW", 0)

        optimized = screen(frames("2025-03-10 09:00", "2025-03-10 09:00"))

        assert small.flags.height == 3
        assert by_flag(small).equals(by_flag(optimized))
        assert "net_refunds" in small.timings
        assert "net_refunds" not in optimized.timings

    def test_large_inputs_run_rule_by_rule_with_the_same_flags(self, monkeypatch):
        together = screen(frames("2025-03-10 09:00", "2025-03-10 09:00"))
        monkeypatch.setattr(engine, "ONE_BY_ONE_ABOVE", 1)

        one_by_one = screen(frames("2025-03-10 09:00", "2025-03-10 09:00"))

        assert by_flag(one_by_one).equals(by_flag(together))
        assert {"OVER_PRICE", "DUP_CHARGE", "net_refunds"} <= set(one_by_one.timings)
        assert "OVER_PRICE" not in together.timings


class TestConfigErrors:
    @pytest.fixture(autouse=True)
    def _english(self):
        with translation.override("en"):
            yield

    @pytest.mark.parametrize(
        ("thresholds", "message"),
        [
            ({"tolerance_fen": 10_001}, "tolerance_fen of OVER_PRICE must lie between 0 and 10000"),
            ({"tolerance_fen": -1}, "tolerance_fen of OVER_PRICE must lie between"),
            ({"tolerance_fen": 1.5}, "tolerance_fen of OVER_PRICE must be like 0"),
            ({"tolerance_fen": "5"}, "tolerance_fen of OVER_PRICE must be like 0"),
            ({"tolerance": 5}, "Rule OVER_PRICE has no threshold tolerance"),
        ],
    )
    def test_names_the_rule_and_the_threshold(self, thresholds, message):
        with pytest.raises(engine.ScreeningConfigError, match=message):
            screen(frames(), {"OVER_PRICE": {"thresholds": thresholds}})

    def test_refuses_an_unknown_severity(self):
        with pytest.raises(engine.ScreeningConfigError, match="Severity must be 1, 2 or 3"):
            screen(frames(), {"OVER_PRICE": {"sev_deg": 4}})

    def test_a_whole_float_is_accepted_for_an_integer_threshold(self):
        values = engine.resolve_thresholds(over_price.RULE, {"tolerance_fen": 500.0})

        assert values == {"tolerance_fen": 500}
        assert isinstance(values["tolerance_fen"], int)
