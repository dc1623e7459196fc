"""PEER_ANOMALY 同级机构异常: a department of an institution unlike its peers in a month.

Features per institution × department × month (screening/anomaly/features.py), robust
z-scores within peer groups (level, type, department) and an isolation forest over them
(screening/anomaly/scoring.py). Not a pure polars expression (scikit-learn fits the forest),
but still a deterministic function of its frames: seeded, single-threaded, no I/O.
"""

from __future__ import annotations

import polars as pl

from screening.anomaly import features, findings, scoring, thresholds
from screening.rules import base

RULE = base.Rule(
    code="PEER_ANOMALY",
    name_zh="同级机构异常",
    name_en="Outlier among peer institutions",
    scope="institution",
    reads=("fee_lines", "settlements", "institutions", "persons"),
    sev_deg=3,
    thresholds=thresholds.THRESHOLDS,
    lookback_days=31,  # the month before the window, for growth
)


def find(
    *,
    fee_lines: pl.LazyFrame,
    settlements: pl.LazyFrame,
    institutions: pl.LazyFrame,
    persons: pl.LazyFrame,
    z_threshold: float = thresholds.Z_THRESHOLD,
    model_top_share: float = thresholds.MODEL_TOP_SHARE,
    z_floor: float = thresholds.Z_FLOOR,
    min_features: int = thresholds.MIN_FEATURES,
    min_peers: int = scoring.MIN_PEERS,
    min_encounters: int = scoring.MIN_ENCOUNTERS,
) -> pl.LazyFrame:
    """One finding per institution × department × month that is an outlier among its peers."""
    units = features.institution_features(
        fee_lines=fee_lines, settlements=settlements, institutions=institutions, persons=persons
    )
    scored = scoring.score_units(
        units, scoring.INSTITUTION, min_peers=min_peers, min_encounters=min_encounters
    )
    found = findings.anomaly_findings(
        scored,
        subject_key=pl.concat_str("fixmedins_code", "dept", findings.month_text(), separator="|"),
        context={"department": pl.col("dept"), "month": findings.month_text()},
        sev_deg=RULE.sev_deg,
        z_threshold=z_threshold,
        model_top_share=model_top_share,
        z_floor=z_floor,
        min_features=min_features,
    )
    return base.findings(found)
