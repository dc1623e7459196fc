"""BED_BLOCKING 挂床住院: an inpatient who is not in the bed being paid for."""

from __future__ import annotations

import polars as pl

from screening.rules import base, lines

RULE = base.Rule(
    code="BED_BLOCKING",
    name_zh="挂床住院",
    name_en="Bed blocking",
    scope="settlement",
    reads=("settlements", "fee_lines", "bed_checks"),
    sev_deg=2,
    thresholds=(
        base.Threshold(
            name="min_idle_days",
            default=3,
            minimum=2,
            maximum=30,
            label_zh="仅有床位费护理费的连续天数下限",
            label_en="Fewest consecutive days with only bed and nursing charges",
        ),
    ),
    lookback_days=30,  # a stay ending in the window began up to weeks before it
)

STAY_TYPES = ("21", "22")  # 普通住院, 外伤住院: day surgery (28) has no nights to block
BED_NURSING = ("01", "07")  # 床位费, 护理费
ABSENT = "2"  # bed check result 不在床
_STAY = ("setl_id", "mdtrt_id", "psn_no", "fixmedins_code", "adm_day", "dis_day")


def find(
    *,
    settlements: pl.LazyFrame,
    fee_lines: pl.LazyFrame,
    bed_checks: pl.LazyFrame,
    min_idle_days: int = 3,
) -> pl.LazyFrame:
    """Stays with a visit elsewhere, an absent bed check, or min_idle_days of bed-only days."""
    stays = settlements.filter(
        pl.col("med_type").is_in(STAY_TYPES), ~pl.col("refd_setl_flag").fill_null(False)
    ).with_columns(adm_day=pl.col("begntime").dt.date(), dis_day=pl.col("endtime").dt.date())
    stay_lines = fee_lines.join(stays.select("mdtrt_id"), on="mdtrt_id", how="semi")
    marked = (
        stays.join(_visits_elsewhere(stays, settlements), on="setl_id", how="left")
        .join(_absent_checks(stays, bed_checks), on="setl_id", how="left")
        .join(_idle_run(stays, stay_lines, min_idle_days), on="mdtrt_id", how="left")
        .join(_bed_nursing(stay_lines), on="mdtrt_id", how="left")
    )
    found = marked.filter(
        pl.col("elsewhere").is_not_null()
        | pl.col("absent_checks").is_not_null()
        | pl.col("idle_days").is_not_null()
    )
    return base.findings(
        found.with_columns(
            dr_code=pl.col("atddr_no"),
            subject_key=pl.col("setl_id"),
            event_time=pl.col("endtime"),
            sev_deg=pl.when(pl.col("absent_checks").is_not_null()).then(1).otherwise(RULE.sev_deg),
            amount_at_risk=pl.col("bed_nursing_amount").fill_null(0),
            evidence=_evidence(min_idle_days),
        )
    )


def _visits_elsewhere(stays: pl.LazyFrame, settlements: pl.LazyFrame) -> pl.LazyFrame:
    """(a) Settlements elsewhere beginning strictly between the admission and discharge days."""
    # Only stays spanning at least two nights have a day strictly inside; persons have few
    # settlements, so an equi-join on the person then an interval filter stays small.
    long_stays = stays.filter((pl.col("dis_day") - pl.col("adm_day")).dt.total_days() >= 2)
    others = settlements.filter(~pl.col("refd_setl_flag").fill_null(False)).select(
        "psn_no",
        other_setl_id="setl_id",
        other_fixmedins_code="fixmedins_code",
        other_med_type="med_type",
        other_begntime="begntime",
    )
    begin_day = pl.col("other_begntime").dt.date()
    return (
        long_stays.select(_STAY)
        .join(others, on="psn_no")
        .filter(
            pl.col("other_fixmedins_code") != pl.col("fixmedins_code"),
            begin_day > pl.col("adm_day"),
            begin_day < pl.col("dis_day"),
        )
        .group_by("setl_id")
        .agg(
            elsewhere=pl.struct(
                setl_id="other_setl_id",
                fixmedins_code="other_fixmedins_code",
                med_type="other_med_type",
                begntime=lines.time_text("other_begntime"),
            ).sort_by("other_begntime", "other_setl_id")
        )
    )


def _absent_checks(stays: pl.LazyFrame, bed_checks: pl.LazyFrame) -> pl.LazyFrame:
    """(b) Remote bed checks during the stay that found the patient absent."""
    return (
        bed_checks.filter(pl.col("result") == ABSENT)
        .join(stays.select("setl_id", "mdtrt_id", "begntime", "endtime"), on="mdtrt_id")
        .filter(pl.col("checked_at").is_between(pl.col("begntime"), pl.col("endtime")))
        .group_by("setl_id")
        .agg(
            absent_checks=pl.struct("check_id", checked_at=lines.time_text("checked_at")).sort_by(
                "checked_at", "check_id"
            )
        )
    )


def _idle_run(stays: pl.LazyFrame, stay_lines: pl.LazyFrame, min_idle_days: int) -> pl.LazyFrame:
    """(c) The longest run of consecutive stay days charged only for bed and nursing."""
    days = (
        lines.net_of_refunds(stay_lines)
        .join(stays.select("mdtrt_id", "adm_day", "dis_day"), on="mdtrt_id")
        .filter(pl.col("fee_day").is_between(pl.col("adm_day"), pl.col("dis_day")))
        .group_by("mdtrt_id", "fee_day")
        .agg(idle=pl.col("med_chrgitm_type").is_in(BED_NURSING).all())
        .filter(pl.col("idle"))
        .sort("mdtrt_id", "fee_day")
    )
    # Sorted by encounter and day: a run continues while the encounter stays the same and
    # the day is the one after the previous idle day.
    continues = (pl.col("mdtrt_id") == pl.col("mdtrt_id").shift(1)) & (
        (pl.col("fee_day") - pl.col("fee_day").shift(1)).dt.total_days() == 1
    )
    return (
        days.with_columns(run=(~continues.fill_null(False)).cum_sum())
        .group_by("mdtrt_id", "run")
        .agg(idle_from=pl.col("fee_day").min(), idle_to=pl.col("fee_day").max(), idle_days=pl.len())
        .filter(pl.col("idle_days") >= min_idle_days)
        .sort("idle_days", "idle_from", descending=[True, False])
        .group_by("mdtrt_id", maintain_order=True)
        .agg(pl.col("idle_from", "idle_to", "idle_days").first())
    )


def _bed_nursing(stay_lines: pl.LazyFrame) -> pl.LazyFrame:
    """The stay's net bed and nursing charges: what the finding puts in doubt."""
    amount = pl.col("det_item_fee_sumamt")
    return stay_lines.group_by("mdtrt_id").agg(
        bed_nursing_amount=amount.filter(pl.col("med_chrgitm_type").is_in(BED_NURSING)).sum()
    )


def _evidence(min_idle_days: int) -> pl.Expr:
    return pl.struct(
        reasons=pl.concat_list(
            pl.when(pl.col("elsewhere").is_not_null()).then(pl.lit("elsewhere")),
            pl.when(pl.col("absent_checks").is_not_null()).then(pl.lit("absent_check")),
            pl.when(pl.col("idle_days").is_not_null()).then(pl.lit("idle_days")),
        ).list.drop_nulls(),
        admitted_at=lines.time_text("begntime"),
        discharged_at=lines.time_text("endtime"),
        elsewhere=pl.col("elsewhere"),
        absent_checks=pl.col("absent_checks"),
        idle_from=pl.col("idle_from").dt.strftime("%Y-%m-%d"),
        idle_to=pl.col("idle_to").dt.strftime("%Y-%m-%d"),
        idle_days=pl.col("idle_days"),
        min_idle_days=pl.lit(min_idle_days),
        bed_nursing_yuan=pl.col("bed_nursing_amount").fill_null(0) / 100,
    ).struct.json_encode()
