import hashlib
from datetime import date

import polars as pl
import pytest

from medins.generator import generate_province
from medins.identity import certno_validate
from medins.interchange import FILES_BY_NAME
from tests.medins.generator.conftest import SMALL

FILES = (
    "divisions",
    "institutions",
    "practitioners",
    "persons",
    "catalog",
    "settlements",
    "diagnoses",
    "fee_details",
    "bed_checks",
)


def digest(folder) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


class TestDeterminism:
    def test_the_same_seed_writes_the_same_bytes(self, batch_dir, tmp_path):
        generate_province(out=tmp_path, **SMALL)

        assert digest(tmp_path) == digest(batch_dir)

    def test_another_seed_writes_other_data(self, batch_dir, tmp_path):
        generate_province(out=tmp_path, **{**SMALL, "seed": SMALL["seed"] + 1})

        theirs, ours = digest(tmp_path), digest(batch_dir)
        assert theirs["persons.csv"] != ours["persons.csv"]
        assert theirs["fee_details.csv"] != ours["fee_details.csv"]


class TestFiles:
    def test_every_file_has_the_contract_columns_in_order(self, batch_dir):
        for name in FILES:
            header = (batch_dir / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0]

            assert tuple(header.split(",")) == FILE_COLUMNS[name]

    def test_divisions_are_jinan_and_its_districts_towns_and_villages(self, batch):
        divisions = batch["divisions"]
        codes = set(divisions["admdvs"])

        assert {"370000", "370100", "370102", "370112", "370116", "370126"} <= codes
        lengths = divisions["admdvs"].str.len_chars().value_counts().sort("admdvs")
        assert lengths["admdvs"].to_list() == [6, 9, 12]
        parents = divisions.filter(pl.col("prnt_admdvs").is_not_null())
        assert set(parents["prnt_admdvs"]) <= codes

    def test_institutions_mix_levels_and_pharmacies(self, batch):
        institutions = batch["institutions"]
        levels = institutions.group_by("level").len().sort("level")
        counts = dict(zip(levels["level"], levels["len"], strict=True))

        assert counts[3] < counts[2] < counts[1]
        pharmacies = institutions.filter(pl.col("fixmedins_type") == "2")
        assert pharmacies["fixmedins_code"].str.starts_with("P").all()
        assert (pharmacies["open_bed_cnt"] == "0").all()

    def test_ids_are_valid_and_agree_with_gender_and_birth_date(self, batch):
        for row in batch["persons"].iter_rows(named=True):
            certno_validate(row["certno"], gender=row["gend"], birth_date=row["brdy"])

        assert batch["persons"]["certno"].n_unique() == batch["persons"].height

    def test_line_amounts_are_count_times_price(self, batch):
        lines = batch["fee_details"]

        assert (lines["amount"] == lines["cnt"] * lines["pric"]).all()

    def test_settlement_amounts_add_up(self, batch):
        setl = batch["settlements"]
        sums = batch["fee_details"].group_by("setl_id").agg(lines=pl.col("amount").sum())
        joined = setl.join(sums, on="setl_id", how="left")

        assert (joined["total"] == joined["lines"]).all()
        assert (setl["fulamt_ownpay_amt"] + setl["inscp_scp_amt"] == setl["total"]).all()
        assert (setl["hifp_pay"] + setl["acct_pay"] + setl["psn_cash_pay"] == setl["total"]).all()
        assert (setl["endtime"] >= setl["begntime"]).all()

    def test_every_reference_points_at_a_row(self, batch):
        def keys(name, column):
            return set(batch[name][column].drop_nulls())

        assert keys("fee_details", "setl_id") <= keys("settlements", "setl_id")
        assert keys("fee_details", "med_list_codg") <= keys("catalog", "med_list_codg")
        assert keys("fee_details", "bilg_dr_codg") <= keys("practitioners", "dr_code")
        assert keys("settlements", "psn_no") <= keys("persons", "psn_no")
        assert keys("settlements", "fixmedins_code") <= keys("institutions", "fixmedins_code")
        assert keys("settlements", "atddr_no") <= keys("practitioners", "dr_code")
        assert keys("practitioners", "fixmedins_code") <= keys("institutions", "fixmedins_code")
        assert keys("diagnoses", "mdtrt_id") <= keys("settlements", "mdtrt_id")
        assert keys("bed_checks", "mdtrt_id") <= keys("settlements", "mdtrt_id")
        assert keys("institutions", "admdvs") <= keys("divisions", "admdvs")
        same = batch["fee_details"].join(batch["settlements"], on="setl_id", suffix="_s")
        assert (same["psn_no"] == same["psn_no_s"]).all()
        assert (same["mdtrt_id"] == same["mdtrt_id_s"]).all()

    def test_chronic_patients_visit_every_month(self, batch):
        chronic = batch["settlements"].filter(pl.col("med_type") == "14")

        assert chronic.height > 0
        assert set(chronic["dise_codg"].str.slice(0, 3)) >= {"I10", "E11"}
        assert batch["diagnoses"]["diag_srt_no"].cast(pl.Int32).max() >= 2


class TestCatalog:
    def test_has_two_thousand_items_in_national_code_shapes(self, batch):
        catalog = batch["catalog"]
        shapes = {
            "101": r"^(X[A-Z0-9]{22}|Z[A-Z0-9]{19})$",
            "102": r"^T\d{9}$",
            "201": r"^00\d{13}$",
            "301": r"^C\d{26}$",
        }

        assert catalog.height >= 2000
        for list_type, pattern in shapes.items():
            assert (
                catalog.filter(pl.col("list_type") == list_type)["med_list_codg"]
                .str.contains(pattern)
                .all()
            )

    def test_every_limit_kind_is_present(self, batch):
        catalog = batch["catalog"]

        for column in (
            "lmt_gend",
            "lmt_min_age",
            "lmt_max_age",
            "lmt_dise_prefixes",
            "lmt_inpatient_only",
            "lmt_min_hosp_lv",
            "max_pay_days",
            "max_daily_cnt",
            "max_supply_days",
            "repeat_window_days",
            "includes_codes",
            "cap",
        ):
            assert catalog[column].drop_nulls().len() > 0, column

    def test_bed_consultation_and_nursing_are_once_a_day(self, batch):
        daily = batch["catalog"].filter(pl.col("med_chrgitm_type").is_in(["01", "02", "07"]))

        assert (daily["max_daily_cnt"] == 1).all()


class TestArguments:
    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"persons": 0}, "persons"),
            ({"months": 0}, "months"),
            ({"rate": 0.5}, "rate"),
            ({"file_format": "xlsx"}, "format"),
        ],
    )
    def test_refuses_what_it_cannot_use_and_writes_nothing(self, tmp_path, changes, message):
        arguments = {**SMALL, "out": tmp_path / "out", **changes}

        with pytest.raises(ValueError, match=message):
            generate_province(**arguments)

        assert not (tmp_path / "out").exists()


class TestParquet:
    def test_writes_typed_parquet_with_the_same_columns(self, tmp_path):
        summary = generate_province(
            out=tmp_path,
            persons=300,
            months=1,
            seed=3,
            start=date(2025, 3, 1),
            file_format="parquet",
        )

        fees = pl.read_parquet(tmp_path / "fee_details.parquet")
        assert fees.columns == list(FILE_COLUMNS["fee_details"])
        assert fees.height == summary.rows["fee_details"]
        assert fees.schema["fee_ocur_time"] == pl.Datetime("us")
        assert fees.schema["det_item_fee_sumamt"] == pl.Decimal(14, 2)
        assert fees["fee_ocur_time"].min().date() >= date(2025, 3, 1)
        assert (tmp_path / "truth.csv").exists()


FILE_COLUMNS = {name: FILES_BY_NAME[name].nationals for name in FILES}
