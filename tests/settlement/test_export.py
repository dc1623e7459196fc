"""Export writes the stored rows back in the contract's format; a round trip is identical."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from django.core.management import call_command

from medins.interchange import FILES_BY_NAME
from settlement.batch.read import BatchFile, read_text
from tests.settlement.conftest import FIXTURE, edit, run_import

FILES = [path.stem for path in sorted(FIXTURE.glob("*.csv")) if path.stem != "divisions"]


def _parsed(path: Path) -> pl.DataFrame:
    """The rows as the importer reads them, in key order, without the row numbers."""
    spec = FILES_BY_NAME[path.stem]
    rows = read_text(BatchFile(spec, path, path.name)).drop("__row")
    return rows.sort(list(spec.key))


@pytest.mark.django_db
class TestExportBatch:
    @pytest.mark.parametrize("file_format", ["csv", "parquet"])
    def test_round_trip_gives_back_identical_rows(self, batch, tmp_path, file_format):
        run_import(batch)
        out = tmp_path / "out"

        call_command("export_batch", "--out", str(out), "--format", file_format)

        for name in FILES:
            exported = _parsed(out / f"{name}.{file_format}")
            assert exported.equals(_parsed(batch / f"{name}.csv")), name

    def test_the_exported_batch_imports_as_a_no_op(self, batch, tmp_path):
        run_import(batch)
        call_command("export_batch", "--out", str(tmp_path / "out"))

        again = run_import(tmp_path / "out")

        changed = {k: v["inserted"] + v["updated"] for k, v in again.row_counts.items()}
        assert changed == dict.fromkeys(changed, 0)

    def test_csv_text_is_the_contract_format(self, batch, tmp_path):
        run_import(batch)

        call_command("export_batch", "--out", str(tmp_path / "out"))

        for name in FILES:
            written = (tmp_path / "out" / f"{name}.csv").read_text(encoding="utf-8")
            assert written == (batch / f"{name}.csv").read_text(encoding="utf-8"), name

    def test_writes_the_current_catalog_version(self, batch, tmp_path):
        run_import(batch)
        edit(batch, "catalog", 1, pric_uplmt_amt="28", effective_from="2026-01-01")
        run_import(batch / "catalog.csv")

        call_command("export_batch", "--out", str(tmp_path / "out"))

        exported = _parsed(tmp_path / "out" / "catalog.csv").filter(
            pl.col("med_list_codg") == "002503020030000"
        )
        assert exported.select("pric_uplmt_amt", "effective_from").rows() == [("28", "2026-01-01")]

    def test_one_institution_gets_its_own_rows_and_its_patients(self, batch, tmp_path):
        run_import(batch)

        call_command(
            "export_batch", "--out", str(tmp_path / "out"), "--institution", "H37020200001"
        )

        out = tmp_path / "out"
        assert _parsed(out / "settlements.csv")["setl_id"].to_list() == ["S0002"]
        assert _parsed(out / "fee_details.csv")["feedetl_sn"].to_list() == ["F0003", "F0004"]
        assert _parsed(out / "persons.csv")["psn_no"].to_list() == ["37020200000000002"]
        assert _parsed(out / "institutions.csv")["fixmedins_code"].to_list() == ["H37020200001"]
        assert len(_parsed(out / "catalog.csv")) == 4
