import csv
from datetime import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from screening import batch, files
from tests.screening.batches import FEE_DETAILS, write_batch

AT = datetime.fromisoformat("2025-04-01T00:30:00+08:00")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def rows(path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


class TestScreenBatch:
    def test_writes_flags_of_the_batch(self, tmp_path):
        summary = batch.screen_batch(
            path=write_batch(tmp_path / "in"), out=tmp_path / "out", detected_at=AT
        )

        flags = rows(tmp_path / "out" / "flags.csv")
        assert [(f["flag_id"], f["amount_at_risk"]) for f in flags] == [
            ("DUP_CHARGE:F2", "12.51"),
            ("OVER_PRICE:F1", "2.50"),
            ("OVER_PRICE:F2", "2.51"),
        ]
        assert flags[0]["detected_at"] == "2025-04-01 00:30:00"
        assert summary.counts["OVER_PRICE"] == 2
        assert summary.lines == 2
        assert (summary.window_start.isoformat(), summary.window_end.isoformat()) == (
            "2025-03-10",
            "2025-03-10",
        )

    def test_an_explicit_window_leaves_other_days_out(self, tmp_path):
        from datetime import date

        summary = batch.screen_batch(
            path=write_batch(tmp_path / "in"),
            out=tmp_path / "out",
            detected_at=AT,
            window_start=date(2025, 3, 11),
            window_end=date(2025, 3, 31),
        )

        assert sum(summary.counts.values()) == 0
        assert rows(tmp_path / "out" / "flags.csv") == []

    def test_a_bad_value_names_file_row_and_column_and_writes_nothing(self, tmp_path):
        lines = [FEE_DETAILS[0], {**FEE_DETAILS[1], "pric": "12,51"}]

        with pytest.raises(files.BatchError, match=r"fee_details\.csv row 2, column pric"):
            batch.screen_batch(
                path=write_batch(tmp_path / "in", fee_details=lines),
                out=tmp_path / "out",
                detected_at=AT,
            )
        assert not (tmp_path / "out" / "flags.csv").exists()

    def test_numbers_with_spaces_around_still_read(self, tmp_path):
        # The CSV reader refuses " 15.01 "; screen_batch then reads the batch as text.
        padded = [{**line, "pric": f" {line['pric']} "} for line in FEE_DETAILS]

        batch.screen_batch(
            path=write_batch(tmp_path / "in", fee_details=padded),
            out=tmp_path / "out",
            detected_at=AT,
        )

        flags = rows(tmp_path / "out" / "flags.csv")
        assert [f["flag_id"] for f in flags] == ["DUP_CHARGE:F2", "OVER_PRICE:F1", "OVER_PRICE:F2"]

    def test_per_rule_timings(self, tmp_path):
        summary = batch.screen_batch(
            path=write_batch(tmp_path / "in"),
            out=tmp_path / "out",
            detected_at=AT,
            per_rule_timings=True,
        )

        assert set(summary.counts) <= set(summary.timings)


class TestCommand:
    def test_prints_counts_and_timings(self, tmp_path, capsys):
        call_command(
            "screen_batch", str(write_batch(tmp_path / "in")), "--out", str(tmp_path / "o")
        )

        output = capsys.readouterr().out
        assert "window 2025-03-10 .. 2025-03-10, 2 fee lines" in output
        assert "OVER_PRICE" in output
        assert "wrote flags.csv: 3 rows" in output

    def test_a_bad_batch_is_a_command_error(self, tmp_path):
        with pytest.raises(CommandError, match="neither a folder nor a zip"):
            call_command("screen_batch", str(tmp_path / "missing"), "--out", str(tmp_path))
