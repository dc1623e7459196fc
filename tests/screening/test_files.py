import zipfile
from datetime import date, datetime

import polars as pl
import pytest
from django.utils import translation

from screening import files
from screening.frames import SCHEMAS
from tests.screening.batches import FEE_DETAILS, SETTLEMENTS, write_batch


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def collected(folder) -> dict[str, pl.DataFrame]:
    with files.open_batch(folder) as batch:
        return {name: frame.collect() for name, frame in batch.frames.items()}


class TestReadBatch:
    def test_every_frame_conforms_to_its_schema(self, tmp_path):
        frames = collected(write_batch(tmp_path))

        assert set(frames) == set(SCHEMAS)
        for name, frame in frames.items():
            assert frame.schema == pl.Schema(SCHEMAS[name]), name

    def test_money_becomes_exact_fen(self, tmp_path):
        lines = [
            {**FEE_DETAILS[0], "pric": "0.29", "det_item_fee_sumamt": "123456789012.57"},
            {**FEE_DETAILS[1], "pric": "-0.07", "det_item_fee_sumamt": "7"},
        ]

        fee_lines = collected(write_batch(tmp_path, fee_details=lines))["fee_lines"]

        assert fee_lines["pric"].to_list() == [29, -7]
        assert fee_lines["det_item_fee_sumamt"].to_list() == [12345678901257, 700]

    def test_times_codes_and_flags(self, tmp_path):
        frames = collected(write_batch(tmp_path))

        settlement = frames["settlements"].row(0, named=True)
        assert settlement["begntime"] == datetime(2025, 3, 10, 9, 0)
        assert settlement["refd_setl_flag"] is False
        assert settlement["medfee_sumamt"] == 2_501
        assert frames["institutions"]["hosp_level"].to_list() == [2, None]
        assert frames["catalog"]["lmt_inpatient_only"].to_list() == [False]
        assert frames["fee_lines"]["prd_days"].to_list() == [None, None]

    def test_absent_and_empty_files_are_empty_frames(self, tmp_path):
        write_batch(tmp_path)
        (tmp_path / "bed_checks.csv").write_text("")

        frames = collected(tmp_path)

        assert frames["bed_checks"].is_empty()
        assert frames["diagnoses"].is_empty()
        assert frames["persons"].schema == pl.Schema(SCHEMAS["persons"])

    def test_parquet_reads_like_csv(self, tmp_path):
        csv_frames = collected(write_batch(tmp_path / "csv"))
        (tmp_path / "pq").mkdir()
        for stem in ("institutions", "catalog", "settlements", "fee_details"):
            raw = pl.read_csv(tmp_path / "csv" / f"{stem}.csv", infer_schema=False)
            raw.write_parquet(tmp_path / "pq" / f"{stem}.parquet")

        parquet_frames = collected(tmp_path / "pq")

        for name in SCHEMAS:
            assert parquet_frames[name].equals(csv_frames[name]), name

    @pytest.mark.parametrize("inside", ["", "batch/"])
    def test_a_zip_with_or_without_its_folder(self, tmp_path, inside):
        folder = write_batch(tmp_path / "batch")
        archive = tmp_path / "batch.zip"
        with zipfile.ZipFile(archive, "w") as handle:
            for path in folder.iterdir():
                handle.write(path, f"{inside}{path.name}")

        frames = collected(archive)

        assert frames["fee_lines"]["feedetl_sn"].to_list() == ["F1", "F2"]

    def test_missing_required_column_names_file_and_column(self, tmp_path):
        lines = [{k: v for k, v in row.items() if k != "pric"} for row in FEE_DETAILS]

        with pytest.raises(files.BatchError, match=r"fee_details\.csv lacks .*pric"):
            collected(write_batch(tmp_path, fee_details=lines))

    def test_missing_optional_column_is_null(self, tmp_path):
        lines = [{k: v for k, v in row.items() if k != "prd_days"} for row in FEE_DETAILS]

        fee_lines = collected(write_batch(tmp_path, fee_details=lines))["fee_lines"]

        assert fee_lines["prd_days"].null_count() == 2

    def test_not_a_batch(self, tmp_path):
        with pytest.raises(files.BatchError, match="neither a folder nor a zip"):
            collected(tmp_path / "nothing")


class TestDiagnose:
    def test_names_file_row_column_and_value(self, tmp_path):
        lines = [FEE_DETAILS[0], {**FEE_DETAILS[1], "fee_ocur_time": "2025-02-30 08:00:00"}]
        write_batch(tmp_path, fee_details=lines, settlements=[{**SETTLEMENTS[0], "hifp_pay": "x"}])

        error = files.diagnose(tmp_path)

        assert "fee_details.csv row 2, column fee_ocur_time: cannot read '2025-02-30" in str(error)
        assert "settlements.csv row 1, column hifp_pay: cannot read 'x'" in str(error)

    def test_a_clean_batch_has_nothing_to_say(self, tmp_path):
        assert files.diagnose(write_batch(tmp_path)) is None


class TestNativeRead:
    def test_reads_every_frame_as_the_text_path_does(self, tmp_path):
        lines = [
            {**FEE_DETAILS[0], "pric": "0.295", "det_item_fee_sumamt": "123456789012.57"},
            {**FEE_DETAILS[1], "pric": "-0.07", "det_item_fee_sumamt": "7", "cnt": ""},
        ]
        folder = write_batch(tmp_path, fee_details=lines)

        native = {k: v.collect() for k, v in files.read_batch(folder, native=True).items()}
        text = {k: v.collect() for k, v in files.read_batch(folder).items()}

        assert native["fee_lines"]["pric"].to_list() == [30, -7]  # to the nearest fen
        for name, frame in text.items():
            assert native[name].equals(frame), name

    def test_refuses_what_only_the_text_path_reads(self, tmp_path):
        lines = [{**FEE_DETAILS[0], "cnt": " 2 "}, FEE_DETAILS[1]]
        folder = write_batch(tmp_path, fee_details=lines)

        with pytest.raises(pl.exceptions.PolarsError):
            files.read_batch(folder, native=True)["fee_lines"].collect()
        assert files.read_batch(folder)["fee_lines"].collect()["cnt"][0] == 2.0


def test_data_span_covers_charges_and_encounters(tmp_path):
    settlement = {**SETTLEMENTS[0], "endtime": "2025-03-12 08:00:00"}
    with files.open_batch(write_batch(tmp_path, settlements=[settlement])) as batch:
        assert files.data_span(batch.frames) == (date(2025, 3, 10), date(2025, 3, 12))


def test_write_flags_formats_yuan_and_times(tmp_path):
    flags = pl.DataFrame(
        {
            "flag_id": ["OVER_PRICE:F1", "DUP_CHARGE:F2"],
            "rule_code": ["OVER_PRICE", "DUP_CHARGE"],
            "setl_id": ["S1", "S1"],
            "feedetl_sn": ["F1", "F2"],
            "psn_no": ["P1", "P1"],
            "fixmedins_code": ["H1", "H1"],
            "dr_code": ["D1", "D1"],
            "sev_deg": [1, 1],
            "amount_at_risk": [5, -123_456],
            "detected_at": [datetime(2025, 4, 1, 0, 30)] * 2,
            "evidence": ['{"a":1}', None],
        }
    )

    files.write_flags(flags, tmp_path / "flags.csv")

    assert (tmp_path / "flags.csv").read_text(encoding="utf-8").splitlines() == [
        "flag_id,rule_code,setl_id,feedetl_sn,psn_no,fixmedins_code,sev_deg,amount_at_risk,"
        "detected_at,evidence",
        "DUP_CHARGE:F2,DUP_CHARGE,S1,F2,P1,H1,1,-1234.56,2025-04-01 00:30:00,{}",
        'OVER_PRICE:F1,OVER_PRICE,S1,F1,P1,H1,1,0.05,2025-04-01 00:30:00,"{""a"":1}"',
    ]
