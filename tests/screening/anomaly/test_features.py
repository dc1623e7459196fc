import polars as pl
import pytest

from screening.anomaly import features
from screening.frames import empty
from tests.screening.frames import (
    fee_lines,
    institutions,
    persons,
    practitioners,
    settlements,
)

INSTITUTIONS = institutions([{"fixmedins_code": "H1", "hosp_lv": "05", "admdvs": "370102"}])
PERSONS = persons(
    [
        {"psn_no": "P1", "insuplc_admdvs": "370102"},
        {"psn_no": "P2", "insuplc_admdvs": "370281"},  # insured in another city (Qingdao)
    ]
)
SETTLEMENTS = settlements(
    [
        {"setl_id": "S1", "psn_no": "P1", "medfee_sumamt": 10_000},
        {"setl_id": "S2", "psn_no": "P2", "medfee_sumamt": 20_000},
        {
            "setl_id": "S3",
            "psn_no": "P1",
            "med_type": "21",
            "begntime": "2025-03-01 08:00",
            "endtime": "2025-03-05 10:00",
            "medfee_sumamt": 50_000,  # no fee lines sent for this stay
        },
        {
            "setl_id": "S4",
            "psn_no": "P1",
            "med_type": "21",
            "begntime": "2025-03-20 08:00",  # 15 days after S3's discharge: a readmission
            "endtime": "2025-03-22 10:00",
            "medfee_sumamt": 30_000,
        },
        {"setl_id": "S5", "psn_no": "P1", "medfee_sumamt": -10_000, "refd_setl_flag": True},
        {
            "setl_id": "S6",
            "psn_no": "P2",
            "begntime": "2025-02-10 09:00",
            "medfee_sumamt": 40_000,
        },
    ]
)
FEE_LINES = fee_lines(
    [
        {"setl_id": "S1", "med_chrgitm_type": "09", "pric": 3_000},
        {"setl_id": "S1", "med_chrgitm_type": "03", "pric": 5_000, "chrgitm_lv": "02"},
        {"setl_id": "S1", "med_chrgitm_type": "05", "pric": 2_000, "chrgitm_lv": "03"},
        {"setl_id": "S2", "med_chrgitm_type": "09", "cnt": 2.0, "pric": 10_000, "chrgitm_lv": "02"},
        {
            "setl_id": "S2",
            "med_chrgitm_type": "09",
            "cnt": -1.0,
            "pric": 10_000,
            "chrgitm_lv": "02",
        },
        {"setl_id": "S2", "med_chrgitm_type": "04", "pric": 10_000},
        {"setl_id": "S4", "med_chrgitm_type": "01", "cnt": 2.0, "pric": 15_000},
        {"setl_id": "S5", "med_chrgitm_type": "05", "pric": 90_000},  # on the reversal
        {"setl_id": "S6", "fee_ocur_time": "2025-02-10 09:00", "pric": 40_000},
    ]
)
MARCH_FEATURES = {
    "cost_per_visit": 150.0,  # (100 + 200) / 2 yuan
    "cost_per_stay": 400.0,  # (500 + 300) / 2 yuan
    "items_per_visit": 2.5,  # 3 + 2: a refund line is no item
    "items_per_stay": 1.0,  # only S4 came with lines
    "drugs_per_visit": 1.0,
    "exam_share": 0.25,  # (50 + 100) / 600 yuan of lines
    "class_b_share": 0.25,  # (50 + 200 − 100) / 600
    "class_c_share": pytest.approx(20 / 600),
    "readmission_rate": 0.5,
    "length_of_stay": 3.0,  # 4 and 2 days
    "growth": 1.75,  # 1100 yuan against February's 400
    "other_city_share": 0.25,
}


def march(frame: pl.LazyFrame) -> dict:
    [row] = frame.filter(pl.col("month") == pl.date(2025, 3, 1)).collect().to_dicts()
    return row


class TestInstitutionFeatures:
    def test_computes_every_feature_of_a_department_month(self):
        units = features.institution_features(
            fee_lines=FEE_LINES,
            settlements=SETTLEMENTS,
            institutions=INSTITUTIONS,
            persons=PERSONS,
        )

        row = march(units)

        assert (row["fixmedins_code"], row["dept"], row["hosp_level"]) == ("H1", "A03", 2)
        assert (row["encounters"], row["visits"], row["admissions"]) == (4, 2, 2)
        assert row["total_cost"] == 110_000
        assert {name: row[name] for name in features.FEATURES} == MARCH_FEATURES

    def test_leaves_growth_empty_without_the_month_before(self):
        units = features.institution_features(
            fee_lines=FEE_LINES,
            settlements=SETTLEMENTS,
            institutions=INSTITUTIONS,
            persons=PERSONS,
        )

        [february] = units.filter(pl.col("month") == pl.date(2025, 2, 1)).collect().to_dicts()

        assert february["growth"] is None
        assert february["cost_per_visit"] == 400.0

    def test_puts_a_settlement_in_the_month_it_was_settled_in_shanghai_time(self):
        late = settlements(
            [
                {"setl_id": "S1", "begntime": "2025-03-31 23:59:59"},
                {"setl_id": "S2", "begntime": "2025-04-01 00:00:00"},
            ]
        )

        units = features.institution_features(
            fee_lines=empty("fee_lines"),
            settlements=late,
            institutions=INSTITUTIONS,
            persons=PERSONS,
        ).collect()

        assert units["month"].cast(pl.String).to_list() == ["2025-03-01", "2025-04-01"]

    def test_works_without_fee_lines_or_persons(self):
        units = features.institution_features(
            fee_lines=empty("fee_lines"),
            settlements=SETTLEMENTS,
            institutions=INSTITUTIONS,
            persons=empty("persons"),
        )

        row = march(units)

        assert row["cost_per_visit"] == 150.0
        assert row["items_per_visit"] is None
        assert row["exam_share"] is None
        assert row["other_city_share"] is None


class TestPractitionerFeatures:
    def test_computes_what_a_practitioner_ordered_and_the_stays_they_attended(self):
        units = features.practitioner_features(
            fee_lines=FEE_LINES,
            settlements=SETTLEMENTS,
            institutions=INSTITUTIONS,
            practitioners=practitioners([{"dr_code": "D1", "dept_codg": "A04"}]),
            persons=PERSONS,
        )

        row = march(units)

        assert (row["dr_code"], row["fixmedins_code"], row["dept"], row["hosp_level"]) == (
            "D1",
            "H1",
            "A04",  # the registry's department wins over the lines'
            2,
        )
        assert (row["encounters"], row["visits"], row["admissions"]) == (3, 2, 1)
        assert row["cost_per_visit"] == 150.0
        assert row["cost_per_stay"] == 300.0  # what D1 ordered in S4, not S4's total
        assert row["items_per_visit"] == 2.5
        assert row["readmission_rate"] == 0.5  # D1 attended S3 and S4
        assert row["length_of_stay"] == 3.0
        assert row["growth"] == 0.5  # 600 yuan ordered against February's 400
        assert row["other_city_share"] == pytest.approx(1 / 3)

    def test_takes_department_and_institution_from_the_lines_when_unregistered(self):
        units = features.practitioner_features(
            fee_lines=FEE_LINES,
            settlements=SETTLEMENTS,
            institutions=INSTITUTIONS,
            practitioners=empty("practitioners"),
            persons=PERSONS,
        )

        row = march(units)

        assert (row["fixmedins_code"], row["dept"], row["hosp_level"]) == ("H1", "A03", 2)

    def test_scores_a_practitioner_who_only_attended_stays(self):
        stays = settlements(
            [
                {
                    "setl_id": "S1",
                    "med_type": "21",
                    "atddr_no": "D7",
                    "begntime": "2025-03-01 08:00",
                    "endtime": "2025-03-03 10:00",
                }
            ]
        )

        units = features.practitioner_features(
            fee_lines=empty("fee_lines"),
            settlements=stays,
            institutions=INSTITUTIONS,
            practitioners=empty("practitioners"),
            persons=PERSONS,
        ).collect()

        assert units.select("dr_code", "fixmedins_code", "encounters", "length_of_stay").rows() == [
            ("D7", "H1", 1, 2.0)
        ]


class TestComputedOnce:
    FRAMES = {
        "fee_lines": FEE_LINES,
        "settlements": SETTLEMENTS,
        "institutions": INSTITUTIONS,
        "persons": PERSONS,
    }

    @pytest.fixture
    def builds(self, monkeypatch):
        calls = []
        build = features.settlement_base  # the first step of every feature build

        def counted(**frames):
            calls.append(frames)
            return build(**frames)

        monkeypatch.setattr(features, "settlement_base", counted)
        return calls

    def test_the_same_frames_are_featured_once_within_the_block(self, builds):
        with features.computed_once():
            first = features.institution_features(**self.FRAMES).collect()
            again = features.institution_features(**self.FRAMES).collect()

        assert len(builds) == 1
        assert again.equals(first)
        assert march(again.lazy()) == march(features.institution_features(**self.FRAMES))

    def test_other_frames_and_calls_outside_the_block_are_featured_anew(self, builds):
        with features.computed_once():
            features.institution_features(**self.FRAMES)
            features.institution_features(**{**self.FRAMES, "persons": empty("persons")})
        features.institution_features(**self.FRAMES)

        assert len(builds) == 3
