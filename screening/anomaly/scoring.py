"""Robust z-scores within peer groups, an isolation forest over them, and one risk score.

Every unit (see features.py) is compared with its peers on each feature, on a scale where
noise is about even (log for amounts, arcsine-root for shares):
z = (value − peer median) / spread. The median comes from the finest peer group in `groups`
with at least `min_peers` usable peers. The spread is 1.4826 × the median absolute deviation
from those medians, pooled over `spread_by` (all months and levels of a department): a spread
from 20 peers is itself so uncertain that "z > 3.5" would happen far more often than 1 in
4,000 on clean data, and the transforms make pooling fair. It falls back to 1.2533 × the mean
absolute deviation when more than half tie, and never goes below what the feature's floor or
5 % of the median is worth. Units with fewer than `min_encounters` encounters are too small
for a rate to mean anything: they get no z and are no one's peer. An isolation forest
(seeded, single-threaded, fit on this run's units only) scores the same z-scores; the risk
score is the mean of the two percentile ranks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl
from sklearn.ensemble import IsolationForest

from screening.anomaly.features import COST_FEATURES, FEATURES, LOG_SCALE, SHARES, VOLUME

MAD_SCALE = 1.4826
MEAN_AD_SCALE = 1.2533
RELATIVE_FLOOR = 0.05
Z_CLIP = 10.0  # a z of 10 is already beyond doubt; larger ones would only stretch the forest
FOREST_SEED = 20240101
FOREST_TREES = 200
MIN_PEERS = 8
MIN_ENCOUNTERS = 10
_FEATURE_ORDER = {name: index for index, name in enumerate(FEATURES)}


@dataclass(frozen=True)
class PeerSpec:
    keys: tuple[str, ...]  # what identifies a unit
    groups: tuple[tuple[str, ...], ...]  # peer groups for the median, finest first
    spread_by: tuple[str, ...]  # where the spread around those medians is pooled


INSTITUTION = PeerSpec(
    keys=("fixmedins_code", "dept", "month"),
    groups=(("hosp_level", "fixmedins_type", "dept", "month"), ("fixmedins_type", "dept", "month")),
    spread_by=("fixmedins_type", "dept"),
)
PRACTITIONER = PeerSpec(
    keys=("dr_code", "month"),
    groups=(("dept", "hosp_level", "month"), ("dept", "month")),
    spread_by=("dept",),
)


def _group_median(long: pl.DataFrame, by: list[str], suffix: str) -> pl.DataFrame:
    usable = pl.col("usable")
    return long.with_columns(
        pl.col("scaled").filter(usable).median().over(by).alias(f"median{suffix}"),
        usable.sum().over(by).alias(f"peers{suffix}"),
    )


def _pooled_spread(long: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    counted = pl.col("usable") & pl.col("median").is_not_null()
    deviation = (pl.col("scaled") - pl.col("median")).abs().filter(counted)
    mad, mean_ad = deviation.median().over(by), deviation.mean().over(by)
    return long.with_columns(
        spread=pl.when(mad > 0).then(mad * MAD_SCALE).otherwise(mean_ad * MEAN_AD_SCALE)
    )


def _chosen(prefix: str, levels: int, min_peers: int) -> pl.Expr:
    choice = pl.when(pl.col("peers_0") >= min_peers).then(pl.col(f"{prefix}_0"))
    for level in range(1, levels):
        choice = choice.when(pl.col(f"peers_{level}") >= min_peers).then(
            pl.col(f"{prefix}_{level}")
        )
    return choice.alias(prefix)


def _to_scale(value: pl.Expr) -> pl.Expr:
    """Where features are compared: log1p for skewed amounts, arcsine-root for shares (both
    make the spread about the same at every level, so one z threshold fits all peers)."""
    feature = pl.col("feature")
    return (
        pl.when(feature.is_in(LOG_SCALE))
        .then(value.clip(lower_bound=-0.99).log1p())
        .when(feature.is_in(SHARES))
        .then(value.clip(0.0, 1.0).sqrt().arcsin())
        .otherwise(value)
    )


def _from_scale(scaled: pl.Expr) -> pl.Expr:
    feature = pl.col("feature")
    return (
        pl.when(feature.is_in(LOG_SCALE))
        .then(scaled.exp() - 1)
        .when(feature.is_in(SHARES))
        .then(scaled.sin().pow(2))
        .otherwise(scaled)
    )


def _long(units: pl.DataFrame, group_columns: list[str], min_encounters: int) -> pl.DataFrame:
    """One row per unit and feature, with the count behind the feature (features.VOLUME)."""
    values = (
        units.with_row_index("unit")
        .with_columns(pl.col(list(FEATURES)).cast(pl.Float64))
        .unpivot(
            on=list(FEATURES),
            index=["unit", *group_columns],
            variable_name="feature",
            value_name="value",
        )
    )
    volumes = units.select(
        pl.col(VOLUME.get(name, "encounters")).cast(pl.Int64).alias(name) for name in FEATURES
    ).unpivot(value_name="volume")  # the same feature-major order as `values`
    return values.with_columns(volumes["volume"]).with_columns(
        scaled=_to_scale(pl.col("value")),
        usable=(pl.col("volume") >= min_encounters) & pl.col("value").is_not_null(),
    )


def _scale() -> pl.Expr:
    """The peer spread, never below what the feature's floor or 5 % of the median is worth
    on the comparison scale (either side of the median: a share of 1 has no room above)."""
    median = pl.col("peer_median")
    least = pl.max_horizontal(pl.col("floor"), median.abs() * RELATIVE_FLOOR)
    above = _to_scale(median + least) - _to_scale(median)
    below = _to_scale(median) - _to_scale(median - least)
    return pl.max_horizontal("spread", above, below)


def _small_unit_factor(spec: PeerSpec) -> pl.Expr:
    """How much wider a small unit's noise is than that of the pooled spread's typical unit:
    a rate over n encounters varies as 1/√n, so a unit with a quarter of the typical volume
    (the median of its pool) gets twice the spread. Units above the typical size keep the
    pooled spread (their differences are real more than random)."""
    typical = pl.col("volume").filter(pl.col("usable")).median().over([*spec.spread_by, "feature"])
    return (typical / pl.col("volume").clip(lower_bound=1)).clip(lower_bound=1.0).sqrt()


def peer_z(
    units: pl.DataFrame, spec: PeerSpec, *, min_peers: int, min_encounters: int
) -> pl.DataFrame:
    """Long frame: unit (row number), feature, value, peer_median, peers, z, order."""
    groups = spec.groups
    columns = sorted({c for group in groups for c in group} | set(spec.spread_by))
    long = _long(units, columns, min_encounters)
    for level, group in enumerate(groups):
        long = _group_median(long, [*group, "feature"], f"_{level}")
    long = long.with_columns(
        _chosen("median", len(groups), min_peers),
        _chosen("peers", len(groups), min_peers),
        floor=pl.col("feature").replace_strict(FEATURES, return_dtype=pl.Float64),
    ).with_columns(peer_median=_from_scale(pl.col("median")))
    long = _pooled_spread(long, [*spec.spread_by, "feature"])
    z = (pl.col("scaled") - pl.col("median")) / (_scale() * _small_unit_factor(spec))
    return long.select(
        "unit",
        "feature",
        "value",
        "peer_median",
        "peers",
        pl.when(pl.col("usable") & pl.col("median").is_not_null()).then(z).alias("z"),
        pl.col("feature").replace_strict(_FEATURE_ORDER, return_dtype=pl.Int32).alias("order"),
    )


def model_scores(matrix: np.ndarray) -> np.ndarray:
    """Isolation-forest anomaly scores (higher is stranger); the same input, the same scores."""
    if len(matrix) < 2:
        return np.zeros(len(matrix))
    forest = IsolationForest(
        n_estimators=FOREST_TREES,
        max_samples=min(256, len(matrix)),
        random_state=FOREST_SEED,
        n_jobs=1,
    )
    forest.fit(matrix)
    return -forest.score_samples(matrix)


def _summary(long: pl.DataFrame) -> pl.DataFrame:
    driver = pl.struct(
        "feature",
        pl.col("value").round(4),
        pl.col("peer_median").round(4),
        pl.col("z").round(2),
        "peers",
    )
    known = pl.col("z").is_not_null()
    return long.group_by("unit").agg(
        pl.col("z").max().alias("max_z"),
        *(
            pl.col("peer_median").filter(pl.col("feature") == name).first().alias(f"peer_{name}")
            for name in COST_FEATURES
        ),
        driver.filter(known)
        .sort_by(pl.col("z").filter(known), pl.col("order").filter(known), descending=[True, False])
        .alias("drivers"),
    )


def score_units(
    units: pl.LazyFrame,
    spec: PeerSpec,
    *,
    min_peers: int = MIN_PEERS,
    min_encounters: int = MIN_ENCOUNTERS,
) -> pl.DataFrame:
    """Each unit with max_z, model_score, model_rank (1 = strangest), risk_score (0..1], the
    peers' median of each cost feature (peer_cost_per_visit, peer_cost_per_stay; yuan) and
    drivers (features by z, highest first)."""
    frame = units.collect().sort(spec.keys)  # a fixed row order keeps the forest reproducible
    long = peer_z(frame, spec, min_peers=min_peers, min_encounters=min_encounters)
    matrix = (
        long.sort("unit", "order")["z"]
        .clip(-Z_CLIP, Z_CLIP)
        .fill_null(0.0)
        .to_numpy()
        .reshape(frame.height, len(FEATURES))
    )
    percentile = _percentile(frame.height)
    return (
        frame.with_row_index("unit")
        .join(_summary(long), on="unit", how="left")
        .sort("unit")  # back in `matrix` order before the model's scores go in
        .with_columns(
            pl.col("max_z").fill_null(0.0),
            model_score=pl.Series(model_scores(matrix), dtype=pl.Float64),
        )
        .with_columns(
            model_rank=pl.col("model_score").rank("ordinal", descending=True),
            risk_score=(percentile("max_z") + percentile("model_score")) / 2,
        )
        .drop("unit")
    )


def _percentile(count: int):
    def rank_share(column: str) -> pl.Expr:
        return pl.col(column).rank("average") / max(count, 1)

    return rank_share


def model_top(share: float, height: int) -> int:
    """How many units make the model's top `share` (rounded up: 1 % of 50 units is one)."""
    return min(height, math.ceil(share * height))
