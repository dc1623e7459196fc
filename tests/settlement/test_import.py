"""Importing batches: what is stored, re-imports, upserts, the input shapes, reports, warnings."""

from __future__ import annotations

import shutil
import zipfile
from decimal import Decimal

import polars as pl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from medins.models import Icd10Category, Person
from settlement.models import BedCheck, FeeLine, ImportBatch, Settlement
from tests.factories import shanghai
from tests.settlement.conftest import (
    edit,
    nothing_stored,
    read_rows,
    run_import,
    stored_counts,
    write_rows,
)

ALL_COUNTS = {
    "Institution": 3,
    "Practitioner": 4,
    "Person": 3,
    "CatalogItem": 4,
    "Settlement": 3,
    "Diagnosis": 3,
    "FeeLine": 5,
    "BedCheck": 2,
}


@pytest.mark.django_db
class TestImportBatch:
    def test_stores_every_file_with_contract_values(self, batch):
        result = run_import(batch)

        assert result.status == ImportBatch.Status.DONE
        assert stored_counts() == ALL_COUNTS
        line = FeeLine.objects.get(line_id="F0004")
        assert (line.quantity, line.unit_price, line.amount) == (
            Decimal("2"),
            Decimal("12.345"),
            Decimal("24.69"),
        )
        stay = Settlement.objects.get(setl_id="S0002")
        assert stay.begin_time == shanghai(2026, 3, 5, 10, 0)
        assert stay.attending_code == "D370202000001"
        assert Settlement.objects.get(setl_id="S0003").department_code == ""
        assert BedCheck.objects.get(check_id="B0002").note == ""
        assert result.row_counts["fee_details.csv"] == {
            "rows": 5,
            "inserted": 5,
            "updated": 0,
            "unchanged": 0,
        }

    def test_reimporting_identical_rows_changes_nothing(self, batch):
        run_import(batch)

        again = run_import(batch)

        assert stored_counts() == ALL_COUNTS
        changed = {k: v["inserted"] + v["updated"] for k, v in again.row_counts.items()}
        assert changed == dict.fromkeys(changed, 0)

    def test_a_changed_row_updates_only_that_row(self, batch):
        run_import(batch)
        edit(batch, "persons", 0, psn_name="张三丰", psn_type="1102")

        again = run_import(batch)

        assert again.row_counts["persons.csv"] == {
            "rows": 3,
            "inserted": 0,
            "updated": 1,
            "unchanged": 2,
        }
        person = Person.objects.get(psn_no="37010200000000001")
        assert (person.name, person.person_type) == ("张三丰", "1102")

    def test_fee_lines_may_refer_to_stored_settlements(self, batch, tmp_path):
        run_import(batch)
        rows = read_rows(batch / "fee_details.csv")
        extra = {**rows[0], "feedetl_sn": "F0100", "cnt": "2", "det_item_fee_sumamt": "50.00"}
        write_rows(tmp_path / "fee_details.csv", [extra])

        result = run_import(tmp_path / "fee_details.csv")

        assert result.status == ImportBatch.Status.DONE
        assert FeeLine.objects.get(line_id="F0100").settlement_id == "S0001"

    def test_a_certno_stored_for_another_person_is_an_error(self, batch, tmp_path):
        run_import(batch)
        rows = read_rows(batch / "persons.csv")
        write_rows(tmp_path / "persons.csv", [{**rows[0], "psn_no": "37010200000000077"}])

        result = run_import(tmp_path / "persons.csv")

        assert result.status == ImportBatch.Status.REJECTED
        assert result.errors[0]["column"] == "certno"
        assert result.errors[0]["reason"] == "already stored for psn_no 37010200000000001"
        assert Person.objects.count() == 3

    def test_an_institution_batch_may_carry_only_its_own_rows(self, batch, tmp_path):
        run_import(batch)
        shutil.copy(batch / "settlements.csv", tmp_path / "settlements.csv")
        qilu = "H37010200001"

        result = run_import(
            tmp_path / "settlements.csv",
            institution=Settlement.objects.get(setl_id="S0001").institution,
        )

        assert result.status == ImportBatch.Status.REJECTED
        assert [(e["row"], e["column"]) for e in result.errors] == [
            (3, "fixmedins_code"),
            (4, "fixmedins_code"),
        ]
        assert result.errors[0]["reason"] == f"belongs to another institution than {qilu}"


@pytest.mark.django_db
class TestInputs:
    def test_a_zip_of_the_folder(self, batch, tmp_path):
        archive = tmp_path / "upload.zip"
        with zipfile.ZipFile(archive, "w") as zipped:
            for path in batch.glob("*.csv"):
                zipped.write(path, f"small/{path.name}")

        result = run_import(archive)

        assert result.status == ImportBatch.Status.DONE
        assert stored_counts() == ALL_COUNTS

    def test_single_files_in_import_order(self, batch):
        for name in ("institutions", "persons", "catalog", "settlements", "fee_details"):
            result = run_import(batch / f"{name}.csv")
            assert result.status == ImportBatch.Status.DONE, result.errors

        assert FeeLine.objects.count() == 5

    def test_parquet_files_typed_or_text(self, batch, tmp_path):
        folder = tmp_path / "parquet"
        folder.mkdir()
        for path in batch.glob("*.csv"):
            pl.read_csv(path, infer_schema=False).write_parquet(folder / f"{path.stem}.parquet")
        typed = pl.read_csv(batch / "settlements.csv", try_parse_dates=True)
        typed.write_parquet(folder / "settlements.parquet")  # datetimes and floats, as a HIS may

        result = run_import(folder)

        assert result.status == ImportBatch.Status.DONE, result.errors
        assert stored_counts() == ALL_COUNTS
        assert Settlement.objects.get(setl_id="S0002").end_time == shanghai(2026, 3, 8, 9, 0)

    def test_a_file_kind_given_twice_is_refused(self, batch):
        pl.read_csv(batch / "persons.csv", infer_schema=False).write_parquet(
            batch / "persons.parquet"
        )

        result = run_import(batch)

        assert result.status == ImportBatch.Status.REJECTED
        assert "same file kind" in result.errors[0]["reason"]
        assert nothing_stored()


@pytest.mark.django_db
class TestReport:
    def test_is_written_beside_a_folder(self, batch):
        edit(batch, "persons", 0, gend="x")

        result = run_import(batch)

        assert result.report_path == str(batch.parent / "small.errors.csv")

    def test_of_a_zip_goes_to_the_report_folder(self, batch, tmp_path, settings):
        edit(batch, "persons", 0, gend="x")
        archive = tmp_path / "upload.zip"
        with zipfile.ZipFile(archive, "w") as zipped:
            for path in batch.glob("*.csv"):
                zipped.write(path, path.name)

        result = run_import(archive)

        assert result.report_path == str(settings.IMPORT_REPORT_DIR / "upload.errors.csv")

    def test_falls_back_to_the_report_folder_when_the_batch_folder_is_read_only(
        self, batch, settings, monkeypatch
    ):
        from settlement import services

        edit(batch, "persons", 0, gend="x")
        real = services._write_report_to

        def refuse_beside(path, errors, warnings):
            if path.parent == batch.parent:
                raise PermissionError(path)
            real(path, errors, warnings)

        monkeypatch.setattr(services, "_write_report_to", refuse_beside)

        result = run_import(batch)

        assert result.report_path == str(settings.IMPORT_REPORT_DIR / "small.errors.csv")


@pytest.mark.django_db
class TestIcd10Warnings:
    def test_unknown_codes_are_stored_and_reported_as_warnings(self, batch, known_icd10):
        edit(batch, "settlements", 1, dise_codg="XX1.000")
        edit(batch, "diagnoses", 1, diag_code="XX1.000")

        result = run_import(batch)

        assert result.status == ImportBatch.Status.DONE
        assert Settlement.objects.get(setl_id="S0002").main_diagnosis == "XX1.000"
        assert [(w["file"], w["row"], w["column"], w["value"]) for w in result.warnings] == [
            ("settlements.csv", 3, "dise_codg", "XX1.000"),
            ("diagnoses.csv", 3, "diag_code", "XX1.000"),
        ]
        assert Icd10Category.objects.filter(code="XX1").count() == 0


@pytest.mark.django_db
class TestCommand:
    def test_prints_the_counts(self, batch, capsys):
        call_command("import_batch", str(batch))

        assert "fee_details.csv: 5 rows, 5 new, 0 updated, 0 unchanged" in capsys.readouterr().out

    def test_exits_non_zero_printing_file_row_column_and_reason(self, batch, capsys):
        edit(batch, "settlements", 0, med_type="99")

        with pytest.raises(CommandError):
            call_command("import_batch", str(batch))

        printed = capsys.readouterr().err
        assert "settlements.csv:2 med_type = '99': not one of 11, 13, 14, 21, 22, 28, 41" in printed
        assert "small.errors.csv" in printed
        assert nothing_stored()


@pytest.mark.django_db
class TestDatabaseRefusal:
    def test_is_recorded_as_failed_and_nothing_is_stored(self, batch, monkeypatch):
        from django.db import IntegrityError

        from settlement.batch import load

        name = "_load_sqlite" if load.connection.vendor == "sqlite" else "_load_postgres"
        real = getattr(load, name)

        def refuse_bed_checks(typed):
            if typed.spec.name == "bed_checks":
                raise IntegrityError("bed check refused")
            return real(typed)

        monkeypatch.setattr(load, name, refuse_bed_checks)

        result = run_import(batch)

        assert result.status == ImportBatch.Status.FAILED
        assert result.errors[0]["reason"] == "bed check refused"
        assert nothing_stored()
