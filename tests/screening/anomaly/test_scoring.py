import math
from datetime import date

import numpy as np
import polars as pl
import pytest

from screening.anomaly import scoring
from screening.anomaly.features import FEATURES, VOLUME

MARCH = date(2025, 3, 1)


def units(*values: float, feature: str = "cost_per_visit", **columns) -> pl.DataFrame:
    """One institution-department-month per value of `feature`; other features unknown."""
    count = len(values)
    volumes = dict.fromkeys({"encounters", *VOLUME.values()}, 100)
    frame = pl.DataFrame(
        {
            "fixmedins_code": [f"H{number:02d}" for number in range(count)],
            "dept": "A03",
            "month": MARCH,
            "hosp_level": 3,
            "fixmedins_type": "1",
            **volumes,
            **dict.fromkeys(FEATURES),
        },
        schema_overrides=dict.fromkeys(FEATURES, pl.Float64),
    )
    return frame.with_columns(pl.Series(feature, values, dtype=pl.Float64), **columns)


def z_of(frame: pl.DataFrame, feature: str = "cost_per_visit", **options) -> list[float | None]:
    settings = {"min_peers": 8, "min_encounters": 10, **options}
    long = scoring.peer_z(frame, scoring.INSTITUTION, **settings)
    return long.filter(pl.col("feature") == feature).sort("unit")["z"].to_list()


class TestPeerZ:
    def test_is_the_distance_from_the_median_in_robust_standard_deviations(self):
        values = [100, 110, 120, 130, 140, 150, 160, 170, 400]
        logged = np.log1p(values)
        median = np.median(logged)
        spread = 1.4826 * np.median(np.abs(logged - median))

        assert z_of(units(*values)) == pytest.approx(list((logged - median) / spread))

    def test_reports_the_peer_median_in_the_feature_s_own_unit(self):
        long = scoring.peer_z(
            units(100, 110, 120, 130, 140, 150, 160, 170, 400),
            scoring.INSTITUTION,
            min_peers=8,
            min_encounters=10,
        )

        medians = long.filter(pl.col("feature") == "cost_per_visit")["peer_median"]

        assert medians.to_list() == pytest.approx([140.0] * 9)

    def test_falls_back_to_the_mean_deviation_and_then_to_the_floor_when_peers_tie(self):
        # Eight peers at 100 yuan: MAD is 0, the mean deviation is tiny, so the floor (5 % of
        # the median on the log scale, the wider side: 95 to 100) is the spread.
        *peers, outlier = z_of(units(*[100] * 8, 130))

        assert peers == [0.0] * 8
        assert outlier == pytest.approx(math.log(131 / 101) / math.log(101 / 96))

    def test_never_calls_a_difference_within_five_percent_an_outlier(self):
        *_, nearly = z_of(units(*[100] * 8, 104))

        assert nearly < 1

    def test_compares_an_institution_only_with_its_own_level(self):
        level_three = units(*[200] * 8, 200)
        level_two = units(*[100] * 8, 200, hosp_level=pl.lit(2)).with_columns(
            pl.col("fixmedins_code") + "b"
        )

        z = z_of(pl.concat([level_three, level_two]))

        assert z[8] == 0.0
        assert z[17] > 10

    def test_uses_the_wider_group_when_the_level_has_too_few_peers(self):
        level_three = units(*[100] * 8)
        small_level = units(300, 300, 300, hosp_level=pl.lit(1)).with_columns(
            pl.col("fixmedins_code") + "b"
        )

        long = scoring.peer_z(
            pl.concat([level_three, small_level]),
            scoring.INSTITUTION,
            min_peers=8,
            min_encounters=10,
        ).filter(pl.col("feature") == "cost_per_visit")

        # Compared with all 11 hospitals of the department (median 100 yuan); the spread is
        # the mean deviation, 3 of 11 at log(301/101), since most deviations are 0.
        assert long["peer_median"][8] == pytest.approx(100.0)
        assert long["peers"][8] == 11
        assert long["z"][8] == pytest.approx(11 / (3 * 1.2533))

    def test_stays_finite_when_every_peer_is_at_the_top_of_a_share(self):
        z = z_of(units(*[1.0] * 8, 0.9, feature="class_b_share"), feature="class_b_share")

        assert z[:8] == [0.0] * 8
        assert -10 < z[8] < -1

    def test_gives_no_z_without_enough_peers_anywhere(self):
        assert z_of(units(*[100] * 6, 300)) == [None] * 7

    def test_ignores_units_too_small_to_compare(self):
        frame = units(*[100] * 8, 900, 300).with_columns(
            visits=pl.Series([100] * 8 + [9, 100])  # 9 visits: below min_encounters
        )

        z = z_of(frame)

        # The 900-yuan unit neither gets a z nor pulls the spread: one deviation among nine.
        assert z[8] is None
        assert z[9] == pytest.approx(9 / 1.2533)


class TestScoreUnits:
    def test_ranks_the_outlier_first_and_explains_it(self):
        frame = units(*[100 + number for number in range(20)], 400)

        scored = scoring.score_units(frame.lazy(), scoring.INSTITUTION)

        top = scored.sort("risk_score", descending=True).row(0, named=True)
        assert top["fixmedins_code"] == "H20"
        assert top["model_rank"] == 1
        assert 0 < top["risk_score"] <= 1
        assert top["drivers"][0]["feature"] == "cost_per_visit"
        assert top["drivers"][0]["value"] == 400.0
        assert top["peer_cost_per_visit"] == pytest.approx(110.0)

    def test_is_reproducible(self):
        rng = np.random.default_rng(3)
        frame = units(*rng.lognormal(5, 0.2, 50)).with_columns(
            items_per_visit=pl.Series(rng.lognormal(1.5, 0.2, 50))
        )

        first = scoring.score_units(frame.lazy(), scoring.INSTITUTION)
        second = scoring.score_units(
            frame.sample(fraction=1, shuffle=True, seed=1).lazy(), scoring.INSTITUTION
        )

        assert first.equals(second)

    def test_handles_no_units(self):
        scored = scoring.score_units(units().lazy(), scoring.INSTITUTION)

        assert scored.is_empty()


@pytest.mark.parametrize(
    ("share", "height", "top"), [(0.01, 0, 0), (0.01, 50, 1), (0.01, 250, 3), (0.0, 50, 0)]
)
def test_model_top_rounds_the_share_up(share, height, top):
    assert scoring.model_top(share, height) == top
