"""Anomaly models: monthly features, robust z within peer groups, an isolation forest.

Used by the PEER_ANOMALY and PRACTITIONER_ANOMALY rules and by the score exports.
"""

from screening.anomaly.subjects import score_institutions, score_practitioners

__all__ = ["score_institutions", "score_practitioners"]
