"""Settlement amounts from fee lines: who pays what, in fen, always adding up to the total."""

from __future__ import annotations

import numpy as np
import polars as pl

from medins.generator.catalog import Catalog
from medins.generator.registry import Registry

# Pooled-fund share of the in-scope amount and the deductible (fen) by insurance and level.
INPATIENT_RATIO = {"310": (0.90, 0.85, 0.80), "390": (0.80, 0.70, 0.60)}
INPATIENT_DEDUCTIBLE = {"310": (30_000, 60_000, 90_000), "390": (20_000, 50_000, 80_000)}
OUTPATIENT_RATIO = {"11": 0.5, "13": 0.5, "14": 0.7, "41": 0.0}
CLASS_B_SELF_SHARE = 0.10  # 乙类: the person pays this share before the fund's ratio applies


def settle(
    rng: np.random.Generator,
    encounters: pl.DataFrame,
    lines: pl.DataFrame,
    catalog: Catalog,
    registry: Registry,
    insutype: np.ndarray,
) -> pl.DataFrame:
    """enc with medfee_sumamt and its split; hifp_pay + acct_pay + psn_cash_pay = the total."""
    level = pl.Series(catalog.items.get_column("chrgitm_lv").to_numpy())
    sums = (
        lines.with_columns(amount=pl.col("cnt") * pl.col("pric"), lv=level.gather(lines["item"]))
        .group_by("enc")
        .agg(
            total=pl.col("amount").sum(),
            own=pl.col("amount").filter(pl.col("lv") == "03").sum(),
            class_b=pl.col("amount").filter(pl.col("lv") == "02").sum(),
        )
    )
    frame = encounters.select("enc", "psn", "inst", "med_type").join(sums, on="enc").sort("enc")
    total, own, class_b = (frame[c].to_numpy() for c in ("total", "own", "class_b"))
    kind = insutype[frame["psn"].to_numpy()]
    med_type = frame["med_type"].to_numpy()
    lv = np.clip(registry.inst_level[frame["inst"].to_numpy()], 1, 3) - 1
    base = total - own - np.floor(class_b * CLASS_B_SELF_SHARE).astype(np.int64)
    inpatient = np.char.startswith(med_type.astype(str), "2")
    ratio = np.where(
        inpatient,
        np.where(
            kind == "310", np.take(INPATIENT_RATIO["310"], lv), np.take(INPATIENT_RATIO["390"], lv)
        ),
        np.vectorize(OUTPATIENT_RATIO.get, otypes=[float])(med_type),
    )
    deductible = np.where(
        inpatient,
        np.where(
            kind == "310",
            np.take(INPATIENT_DEDUCTIBLE["310"], lv),
            np.take(INPATIENT_DEDUCTIBLE["390"], lv),
        ),
        0,
    )
    fund = np.floor(np.maximum(base - deductible, 0) * ratio).astype(np.int64)
    rest = total - fund
    account = np.where(kind == "310", np.floor(rest * rng.uniform(0.3, 1.0, len(rest))), 0)
    return frame.select("enc").with_columns(
        medfee_sumamt=pl.Series(total),
        fulamt_ownpay_amt=pl.Series(own),
        inscp_scp_amt=pl.Series(total - own),
        hifp_pay=pl.Series(fund),
        acct_pay=pl.Series(account.astype(np.int64)),
        psn_cash_pay=pl.Series(rest - account.astype(np.int64)),
    )
