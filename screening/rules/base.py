"""What every rule module declares, and the shape of the findings every rule returns.

A rule module may also have `applies(frames) -> bool` (frames: the DataFrames of SCHEMAS
that its `find` would read): False only when `find` cannot find anything in them, whatever
its thresholds; a cheap test of what its first joins need. The pre-check
(screening/prepared.py) runs only the rules that apply to a claim: on a claim and its
person's history most of them cannot fire, and each costs the same fixed half millisecond
or so of polars planning and running whatever the rows. Those frames have a few dozen rows,
on which a loop in Python costs less than a polars call, and `applies` mostly loops.
tests/screening/rules/test_applies.py holds each one to its promise.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Threshold:
    name: str  # the keyword argument of the rule's `find`
    default: float | int
    minimum: float | int
    maximum: float | int
    label_zh: str
    label_en: str


@dataclass(frozen=True)
class Rule:
    code: str
    name_zh: str
    name_en: str
    scope: str  # fee_line | settlement | settlement_pair | person | institution | practitioner
    reads: tuple[str, ...]  # frame names from screening.frames.SCHEMAS the rule's find takes
    sev_deg: int  # default severity: 1 明确违规, 2 高度可疑, 3 可疑
    thresholds: tuple[Threshold, ...] = ()
    realtime: bool = False  # part of the pre-check subset
    lookback_days: int = 0  # history before the window the rule needs
    # True when `find` reads fee_lines only through lines.net_of_refunds: the engine then
    # nets the lines once for all such rules and passes the charged lines instead.
    nets_refunds: bool = False

    def defaults(self) -> dict[str, float | int]:
        return {threshold.name: threshold.default for threshold in self.thresholds}


# Every rule's `find` returns a LazyFrame with these columns (nulls where not relevant).
# The engine adds rule_code, flag_id (stable: rule + subject keys) and detected_at.
FINDING_SCHEMA: dict[str, pl.DataType] = {
    "setl_id": pl.String,
    "feedetl_sn": pl.String,
    "psn_no": pl.String,
    "fixmedins_code": pl.String,
    "dr_code": pl.String,
    "subject_key": pl.String,  # what makes the finding unique within its rule (feeds flag_id)
    "event_time": pl.Datetime("us"),  # when it happened: the engine keeps those in the window
    "sev_deg": pl.Int8,  # the rule's default unless one limit makes it different
    "amount_at_risk": pl.Int64,  # fen
    "evidence": pl.String,  # JSON object: the facts an auditor needs
}


# An inpatient encounter (med_type 2x) that is not a refund.
INPATIENT_STAY = pl.col("med_type").str.starts_with("2") & ~pl.col("refd_setl_flag").fill_null(
    False
)


def inpatient_stays(settlements: pl.LazyFrame) -> pl.LazyFrame:
    """Inpatient encounters (med_type 2x), refunds left out."""
    return settlements.filter(INPATIENT_STAY)


def inpatient_stay_count(settlements: pl.DataFrame) -> int:
    """How many rows inpatient_stays keeps, for `applies`."""
    return int(settlements.select(INPATIENT_STAY.sum()).item())


def findings(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Select and cast a rule's result to FINDING_SCHEMA, adding missing columns as nulls."""
    present = set(frame.collect_schema().names())
    return frame.select(
        (pl.col(name) if name in present else pl.lit(None)).cast(dtype).alias(name)
        for name, dtype in FINDING_SCHEMA.items()
    )
