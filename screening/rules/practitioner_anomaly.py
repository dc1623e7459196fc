"""PRACTITIONER_ANOMALY 医师行为异常: an ordering practitioner unlike their peers in a month.

The same features and models as PEER_ANOMALY, per practitioner × month (what they ordered as
bilg_dr_codg, the stays they attended as atddr_no), compared within their department and
institution level. Deterministic: seeded, single-threaded, no I/O.
"""

from __future__ import annotations

import polars as pl

from screening.anomaly import features, findings, scoring, thresholds
from screening.rules import base

RULE = base.Rule(
    code="PRACTITIONER_ANOMALY",
    name_zh="医师行为异常",
    name_en="Outlier practitioner",
    scope="practitioner",
    reads=("fee_lines", "settlements", "institutions", "practitioners", "persons"),
    sev_deg=3,
    thresholds=thresholds.THRESHOLDS,
    lookback_days=31,  # the month before the window, for growth
)


def find(
    *,
    fee_lines: pl.LazyFrame,
    settlements: pl.LazyFrame,
    institutions: pl.LazyFrame,
    practitioners: pl.LazyFrame,
    persons: pl.LazyFrame,
    z_threshold: float = thresholds.Z_THRESHOLD,
    model_top_share: float = thresholds.MODEL_TOP_SHARE,
    z_floor: float = thresholds.Z_FLOOR,
    min_features: int = thresholds.MIN_FEATURES,
    min_peers: int = scoring.MIN_PEERS,
    min_encounters: int = scoring.MIN_ENCOUNTERS,
) -> pl.LazyFrame:
    """One finding per practitioner × month that is an outlier among their peers."""
    units = features.practitioner_features(
        fee_lines=fee_lines,
        settlements=settlements,
        institutions=institutions,
        practitioners=practitioners,
        persons=persons,
    )
    scored = scoring.score_units(
        units, scoring.PRACTITIONER, min_peers=min_peers, min_encounters=min_encounters
    )
    found = findings.anomaly_findings(
        scored,
        subject_key=pl.concat_str("dr_code", findings.month_text(), separator="|"),
        context={
            "department": pl.col("dept"),
            "hosp_level": pl.col("hosp_level"),
            "month": findings.month_text(),
        },
        sev_deg=RULE.sev_deg,
        z_threshold=z_threshold,
        model_top_share=model_top_share,
        z_floor=z_floor,
        min_features=min_features,
    )
    return base.findings(found)
