"""A bad row rejects the whole batch, names file, row, column and reason, and stores nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from settlement.models import ImportBatch
from tests.settlement.conftest import (
    edit,
    nothing_stored,
    read_rows,
    run_import,
    stored_counts,
    write_rows,
)

# (file, data row index, new values, expected column, expected reason)
BAD_ROWS = [
    pytest.param("persons", 0, {"psn_name": ""}, "psn_name", "required", id="required value"),
    pytest.param(
        "institutions",
        0,
        {"open_bed_cnt": "3k"},
        "open_bed_cnt",
        "not a whole number",
        id="whole number",
    ),
    pytest.param(
        "settlements",
        0,
        {"hifp_pay": "27.601"},
        "hifp_pay",
        "more than 2 decimal places",
        id="money places",
    ),
    pytest.param(
        "settlements",
        1,
        {"acct_pay": "0,00"},
        "acct_pay",
        "not an amount in yuan (e.g. 12.50)",
        id="money text",
    ),
    pytest.param("persons", 0, {"brdy": "1970/05/17"}, "brdy", "not a date YYYY-MM-DD", id="date"),
    pytest.param(
        "fee_details",
        0,
        {"fee_ocur_time": "2026-03-02T09:10:00"},
        "fee_ocur_time",
        "not a time YYYY-MM-DD HH:MM:SS",
        id="datetime",
    ),
    pytest.param(
        "settlements", 0, {"refd_setl_flag": "Y"}, "refd_setl_flag", "must be 0 or 1", id="bool"
    ),
    pytest.param(
        "settlements",
        0,
        {"med_type": "99"},
        "med_type",
        "not one of 11, 13, 14, 21, 22, 28, 41",
        id="choice",
    ),
    pytest.param(
        "practitioners",
        0,
        {"dr_name": "王" * 51},
        "dr_name",
        "longer than 50 characters",
        id="max length",
    ),
    pytest.param(
        "persons",
        0,
        {"certno": "370102197005170119"},
        "certno",
        "check digit is 9, should be 8",
        id="certno check digit",
    ),
    pytest.param(
        "persons",
        0,
        {"certno": "37010219700517011"},
        "certno",
        "must have 18 characters, has 17",
        id="certno length",
    ),
    pytest.param(
        "persons",
        0,
        {"gend": "2"},
        "gend",
        "disagrees with the 17th digit of certno",
        id="certno and gend",
    ),
    pytest.param(
        "persons",
        0,
        {"brdy": "1970-05-18"},
        "brdy",
        "disagrees with the birth date 1970-05-17 in certno",
        id="certno and brdy",
    ),
    pytest.param(
        "settlements",
        0,
        {"endtime": "2026-03-02 08:59:59"},
        "endtime",
        "endtime is before begntime",
        id="endtime before begntime",
    ),
    pytest.param(
        "fee_details",
        0,
        {"cnt": "1.0008"},
        "det_item_fee_sumamt",
        "differs from cnt x pric by more than 0.01",
        id="line amount",
    ),
    pytest.param(
        "fee_details",
        1,
        {"cnt": "0", "det_item_fee_sumamt": "0.00"},
        "cnt",
        "quantity must not be 0",
        id="zero quantity",
    ),
    pytest.param(
        "settlements",
        0,
        {"medfee_sumamt": "46.01"},
        "medfee_sumamt",
        "differs from the sum of its fee lines in the batch (46.00)",
        id="settlement total",
    ),
    pytest.param(
        "fee_details",
        1,
        {"feedetl_sn": "F0001"},
        "feedetl_sn",
        "duplicate of row 2",
        id="duplicate key",
    ),
    pytest.param(
        "persons",
        2,
        {"certno": "370102197005170118", "gend": "1", "brdy": "1970-05-17"},
        "certno",
        "duplicate of row 2",
        id="duplicate certno",
    ),
    pytest.param(
        "settlements",
        1,
        {"mdtrt_id": "M0001"},
        "mdtrt_id",
        "duplicate of row 2",
        id="duplicate mdtrt_id",
    ),
    pytest.param(
        "fee_details",
        4,
        {"setl_id": "S9999"},
        "setl_id",
        "no such setl_id in settlements of the batch or in the database",
        id="line to settlement",
    ),
    pytest.param(
        "fee_details",
        0,
        {"psn_no": "37010200000000099"},
        "psn_no",
        "no such psn_no in persons of the batch or in the database",
        id="line to person",
    ),
    pytest.param(
        "fee_details",
        0,
        {"fixmedins_code": "H37010299999"},
        "fixmedins_code",
        "no such fixmedins_code in institutions of the batch or in the database",
        id="line to institution",
    ),
    pytest.param(
        "fee_details",
        0,
        {"med_list_codg": "002503020039999"},
        "med_list_codg",
        "no such med_list_codg in catalog of the batch or in the database",
        id="line to catalog",
    ),
    pytest.param(
        "fee_details",
        0,
        {"mdtrt_id": "M0002"},
        "mdtrt_id",
        "disagrees with settlement S0001, whose mdtrt_id is M0001",
        id="line and settlement mdtrt_id",
    ),
    pytest.param(
        "fee_details",
        4,
        {"psn_no": "37010200000000001"},
        "psn_no",
        "disagrees with settlement S0003, whose psn_no is 37010200000000003",
        id="line and settlement psn_no",
    ),
    pytest.param(
        "settlements",
        0,
        {"psn_no": "37010200000000099"},
        "psn_no",
        "no such psn_no in persons of the batch or in the database",
        id="settlement to person",
    ),
    pytest.param(
        "settlements",
        2,
        {"fixmedins_code": "P37010299999"},
        "fixmedins_code",
        "no such fixmedins_code in institutions of the batch or in the database",
        id="settlement to institution",
    ),
    pytest.param(
        "practitioners",
        3,
        {"fixmedins_code": "H37020299999"},
        "fixmedins_code",
        "no such fixmedins_code in institutions of the batch or in the database",
        id="practitioner to institution",
    ),
    pytest.param(
        "diagnoses",
        2,
        {"mdtrt_id": "M0099"},
        "mdtrt_id",
        "no such mdtrt_id in settlements of the batch or in the database",
        id="diagnosis to encounter",
    ),
    pytest.param(
        "bed_checks",
        1,
        {"mdtrt_id": "M0099"},
        "mdtrt_id",
        "no such mdtrt_id in settlements of the batch or in the database",
        id="bed check to encounter",
    ),
    pytest.param(
        "divisions",
        4,
        {"prnt_admdvs": "379900"},
        "prnt_admdvs",
        "no such admdvs in divisions of the batch or in the database",
        id="division to parent",
    ),
]


def _report(path: str) -> list[dict[str, str]]:
    with Path(path).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.django_db
class TestBadRow:
    @pytest.mark.parametrize(("name", "index", "values", "column", "reason"), BAD_ROWS)
    def test_rejects_the_batch_naming_file_row_column_and_reason(
        self, batch, name, index, values, column, reason
    ):
        edit(batch, name, index, **values)
        value = values.get(column, read_rows(batch / f"{name}.csv")[index][column])
        expected = {
            "file": f"{name}.csv",
            "row": index + 2,
            "column": column,
            "value": value or None,
            "reason": reason,
        }

        result = run_import(batch)

        assert result.status == ImportBatch.Status.REJECTED
        assert expected in result.errors
        assert nothing_stored(), stored_counts()
        report = _report(result.report_path)
        assert {
            "level": "error",
            "file": f"{name}.csv",
            "row (header = row 1)": str(index + 2),
            "column": column,
            "value": value,
            "reason": reason,
        } in report


@pytest.mark.django_db
class TestBadFile:
    def test_a_missing_required_column_is_one_error_naming_file_and_column(self, batch):
        path = batch / "fee_details.csv"
        rows = read_rows(path)
        write_rows(path, rows, [name for name in rows[0] if name != "cnt"])

        result = run_import(batch)

        assert result.status == ImportBatch.Status.REJECTED
        assert result.errors == [
            {
                "file": "fee_details.csv",
                "row": None,
                "column": "cnt",
                "value": None,
                "reason": "required column cnt is missing",
            }
        ]
        assert nothing_stored()

    def test_a_missing_key_column_does_not_fail_every_reference_to_it(self, batch):
        path = batch / "settlements.csv"
        rows = read_rows(path)
        write_rows(path, rows, [name for name in rows[0] if name != "mdtrt_id"])

        result = run_import(batch)

        assert [error["column"] for error in result.errors] == ["mdtrt_id"]
        assert result.errors[0]["file"] == "settlements.csv"

    def test_a_missing_optional_column_is_fine(self, batch):
        path = batch / "fee_details.csv"
        rows = read_rows(path)
        write_rows(path, rows, [name for name in rows[0] if name != "prd_days"])

        result = run_import(batch)

        assert result.status == ImportBatch.Status.DONE

    def test_a_file_that_is_not_csv_is_reported_and_nothing_stored(self, batch):
        (batch / "bed_checks.csv").write_bytes(b"check_id,mdtrt_id\n\xff\xfe\x00bad,1,2,3\n")

        result = run_import(batch)

        assert result.status == ImportBatch.Status.REJECTED
        assert result.errors[0]["file"] == "bed_checks.csv"
        assert "cannot be read" in result.errors[0]["reason"]
        assert nothing_stored()

    def test_a_single_file_with_an_unknown_name_is_refused(self, tmp_path):
        path = tmp_path / "claims.csv"
        path.write_text("a,b\n1,2\n", encoding="utf-8")

        result = run_import(path)

        assert result.status == ImportBatch.Status.REJECTED
        assert result.errors[0]["file"] == "claims.csv"
        assert "is not a batch file" in result.errors[0]["reason"]

    def test_every_error_is_counted_and_the_record_keeps_the_first_fifty(self, batch):
        path = batch / "fee_details.csv"
        rows = read_rows(path)
        write_rows(path, [{**rows[0], "feedetl_sn": f"X{n}", "cnt": "x"} for n in range(70)])

        result = run_import(batch)

        assert result.error_count == 70 + 1  # each line, and S0001's total
        assert len(result.errors) == 50
        assert len(_report(result.report_path)) == 71
