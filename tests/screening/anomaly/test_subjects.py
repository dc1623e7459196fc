import json
from datetime import date, datetime

import polars as pl
import pytest
from sklearn.metrics import roc_auc_score

from screening import anomaly
from screening.rules import peer_anomaly
from tests.screening.anomaly.synthetic import Province, labels
from tests.screening.frames import institutions, settlements

FEBRUARY, MARCH = datetime(2025, 2, 1), datetime(2025, 3, 1)
SCORE_COLUMNS = ["window_start", "window_end", "risk_score", "rank", "top_features"]


@pytest.fixture(scope="module")
def one_outlier_among_forty() -> dict[str, pl.LazyFrame]:
    """120 hospitals, 40 per level; H0004's orthopaedics (A04) charges 3× everywhere."""
    province = Province(
        institutions=120,
        encounters=300,
        months=(FEBRUARY, MARCH),
        departments=("A03", "A04"),
        inject=[(4, "A04", "cost")],
        seed=1,
    )
    return province.frames()


class TestScoreInstitutions:
    def test_ranks_the_outlier_first_and_says_why(self, one_outlier_among_forty):
        scores = anomaly.score_institutions(
            one_outlier_among_forty, date(2025, 3, 1), date(2025, 3, 31)
        )

        top = scores.row(0, named=True)
        assert top["fixmedins_code"] == "H0004"
        assert top["rank"] == 1
        assert scores["rank"].to_list() == list(range(1, 121))
        assert scores["risk_score"].is_between(0, 1).all()
        assert scores["risk_score"].is_sorted(descending=True)
        driver = json.loads(top["top_features"])[0]
        assert driver["feature"] in ("cost_per_visit", "cost_per_stay")
        assert driver["value"] == pytest.approx(3 * driver["peer_median"], rel=0.15)
        assert (driver["department"], driver["month"]) == ("A04", "2025-03")
        assert driver["peers"] == 40

    def test_and_the_rule_flags_only_the_outlier(self, one_outlier_among_forty):
        frames = {name: one_outlier_among_forty[name] for name in peer_anomaly.RULE.reads}

        found = peer_anomaly.find(**frames).collect()

        assert found["subject_key"].to_list() == ["H0004|A04|2025-02", "H0004|A04|2025-03"]

    def test_gives_the_same_scores_for_the_same_data(self, one_outlier_among_forty):
        window = (date(2025, 3, 1), date(2025, 3, 31))

        first = anomaly.score_institutions(one_outlier_among_forty, *window)
        second = anomaly.score_institutions(one_outlier_among_forty, *window)

        assert first.equals(second)

    def test_has_the_export_columns_and_the_window(self, one_outlier_among_forty):
        scores = anomaly.score_institutions(
            one_outlier_among_forty, date(2025, 3, 1), date(2025, 3, 31)
        )

        assert scores.columns == ["fixmedins_code", *SCORE_COLUMNS]
        assert scores["window_start"].unique().to_list() == [date(2025, 3, 1)]
        assert scores["window_end"].unique().to_list() == [date(2025, 3, 31)]

    def test_scores_every_institution_with_activity_in_the_window_and_no_other(self):
        frames = {
            "institutions": institutions(
                [{"fixmedins_code": code} for code in ("H1", "H2", "H3", "P1")]
            ),
            "settlements": settlements(
                [
                    {"fixmedins_code": "H1"},
                    {"fixmedins_code": "H2", "medfee_sumamt": 900_000},
                    {"fixmedins_code": "H3", "begntime": "2025-02-10 09:00"},  # before
                    {"fixmedins_code": "P1", "med_type": "41", "adm_dept_codg": None},
                    {"fixmedins_code": "H9"},  # not in the registry
                ]
            ),
        }

        scores = anomaly.score_institutions(frames, date(2025, 3, 1), date(2025, 3, 31))

        assert sorted(scores["fixmedins_code"]) == ["H1", "H2", "H9", "P1"]
        assert scores["top_features"].to_list() == ["[]"] * 4  # too few peers to compare

    def test_scores_nothing_when_nothing_happened(self):
        scores = anomaly.score_institutions({}, date(2025, 3, 1), date(2025, 3, 31))

        assert scores.is_empty()
        assert scores.columns == ["fixmedins_code", *SCORE_COLUMNS]


class TestScorePractitioners:
    def test_ranks_the_practitioner_behind_the_outlier_first(self, one_outlier_among_forty):
        scores = anomaly.score_practitioners(
            one_outlier_among_forty, date(2025, 3, 1), date(2025, 3, 31)
        )

        assert scores.columns == ["dr_code", *SCORE_COLUMNS]
        assert scores.height == 240  # one ordering practitioner per department
        assert scores.row(0, named=True)["dr_code"] == "D4A04"


def test_separates_injected_anomalies_from_clean_institutions():
    """~5 % of 100 institutions have one department off in one way; ROC-AUC ≥ 0.9."""
    province = Province(
        institutions=100,
        encounters=60,
        months=(FEBRUARY, MARCH),
        inject=[
            (3, "A03", "cost"),
            (22, "A04", "items"),
            (41, "A05", "class_c"),
            (64, "A07", "distance"),
            (87, "A04", "cost"),
        ],
        seed=1,
    )

    scores = anomaly.score_institutions(province.frames(), date(2025, 3, 1), date(2025, 3, 31))

    truth = labels(province)
    auc = roc_auc_score([truth[code] for code in scores["fixmedins_code"]], scores["risk_score"])
    assert auc >= 0.9
