"""Truth rows for the anomaly rules: the inflated institutions and practitioners."""

from __future__ import annotations

import numpy as np
import polars as pl

from medins.generator.registry import Registry


def anomaly_truth(registry: Registry) -> pl.DataFrame:
    """PEER_ANOMALY per inflated institution; PRACTITIONER_ANOMALY per over-ordering physician.

    The physicians of an inflated department order inflated care too, so they are named as well.
    """
    codes, doctors = registry.inst_codes, registry.dr_codes
    rows = [("PEER_ANOMALY", codes[inst], None) for inst, _dept in registry.peer_anomalies]
    named = set(registry.practitioner_anomalies.tolist())
    for inst, dept in registry.peer_anomalies:
        first, count = registry.doctor_start[inst, dept], registry.doctor_count[inst, dept]
        named.update(range(first, first + count))
    owner = registry.practitioners.get_column("fixmedins_code").to_numpy()
    rows += [("PRACTITIONER_ANOMALY", owner[d], doctors[d]) for d in sorted(named)]
    frame = pl.DataFrame(rows, schema=["rule_code", "fixmedins_code", "dr_code"], orient="row")
    return frame.select(
        "rule_code",
        setl_id=pl.lit(None, pl.String),
        feedetl_sn=pl.lit(None, pl.String),
        psn_no=pl.lit(None, pl.String),
        fixmedins_code="fixmedins_code",
        dr_code="dr_code",
    )


__all__ = ["anomaly_truth", "np"]
