"""The thresholds both anomaly rules declare (the same names, defaults and bounds)."""

from __future__ import annotations

from screening.anomaly.scoring import MIN_ENCOUNTERS, MIN_PEERS
from screening.rules import base

Z_THRESHOLD = 3.5
MODEL_TOP_SHARE = 0.01
Z_FLOOR = 3.0
MIN_FEATURES = 2

THRESHOLDS = (
    base.Threshold(
        name="z_threshold",
        default=Z_THRESHOLD,
        minimum=2.0,
        maximum=10.0,
        label_zh="稳健Z值阈值",
        label_en="Robust z-score above which a feature is an outlier",
    ),
    base.Threshold(
        name="model_top_share",
        default=MODEL_TOP_SHARE,
        minimum=0.0,
        maximum=0.2,
        label_zh="孤立森林异常得分前列比例",
        label_en="Share of units the isolation forest ranks strangest",
    ),
    base.Threshold(
        name="z_floor",
        default=Z_FLOOR,
        minimum=0.0,
        maximum=10.0,
        label_zh="模型命中时稳健Z值下限",
        label_en="Robust z-score a model hit also needs",
    ),
    base.Threshold(
        name="min_features",
        default=MIN_FEATURES,
        minimum=1,
        maximum=5,
        label_zh="同时偏离的指标最少个数",
        label_en="Fewest features beyond the z floor at once (growth not counted)",
    ),
    base.Threshold(
        name="min_peers",
        default=MIN_PEERS,
        minimum=3,
        maximum=10_000,
        label_zh="同组最少数量",
        label_en="Fewest peers in a peer group",
    ),
    base.Threshold(
        name="min_encounters",
        default=MIN_ENCOUNTERS,
        minimum=1,
        maximum=100_000,
        label_zh="单元最少就诊人次",
        label_en="Fewest encounters a unit needs to be compared",
    ),
)
