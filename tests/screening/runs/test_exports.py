"""export_flags and export_scores: a stored run's files, as screen_batch writes them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from screening.files import FLAG_EXPORT_COLUMNS, SCORE_EXPORT_COLUMNS
from screening.models import Flag, ScreeningRun
from screening.services import runs
from tests.factories import shanghai
from tests.screening.runs.conftest import WINDOW


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def done_run(screenable, django_capture_on_commit_callbacks) -> ScreeningRun:
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.screening_run_start(
            window_start=WINDOW[0], window_end=WINDOW[1], at=shanghai(2026, 4, 1, 2, 0)
        )
    run.refresh_from_db()
    assert run.status == ScreeningRun.Status.DONE
    return run


class TestExportFlags:
    def test_writes_the_runs_flags_in_the_interchange_columns(self, done_run, tmp_path, capsys):
        call_command("export_flags", "--run", str(done_run.pk), "--out", str(tmp_path))

        rows = read(tmp_path / "flags.csv")
        assert list(rows[0]) == list(FLAG_EXPORT_COLUMNS)
        assert len(rows) == Flag.objects.filter(last_run=done_run).count()
        [line] = [
            row for row in rows if row["rule_code"] == "OVER_PRICE" and row["feedetl_sn"] == "F1"
        ]
        assert line["amount_at_risk"] == "15.00"
        assert line["sev_deg"] == "1"
        assert line["psn_no"] == "370102000001"
        assert line["fixmedins_code"] == "H37010200001"
        assert line["setl_id"].startswith("S")
        assert line["detected_at"] == "2026-04-01 02:00:00"  # Shanghai, as the run was made
        evidence = json.loads(line["evidence"])
        assert (evidence["pric_yuan"], evidence["pric_uplmt_amt_yuan"]) == (25.0, 10.0)
        assert f"run #{done_run.pk}: wrote flags.csv" in capsys.readouterr().out

    def test_defaults_to_the_latest_done_run(self, done_run, tmp_path):
        call_command("export_flags", "--out", str(tmp_path))

        assert read(tmp_path / "flags.csv")

    def test_an_unknown_run_is_named(self, stored, tmp_path):
        with pytest.raises(CommandError, match="No screening run #42"):
            call_command("export_flags", "--run", "42", "--out", str(tmp_path))

    def test_without_a_finished_run_it_says_so(self, stored, tmp_path):
        with pytest.raises(CommandError, match="No finished screening run"):
            call_command("export_flags", "--out", str(tmp_path))

    def test_the_same_flags_as_screen_batch_on_the_same_data(self, done_run, tmp_path):
        call_command("export_batch", "--out", str(tmp_path / "batch"))
        call_command(
            "screen_batch",
            str(tmp_path / "batch"),
            "--out",
            str(tmp_path / "files"),
            "--from",
            WINDOW[0].isoformat(),
            "--to",
            WINDOW[1].isoformat(),
        )
        call_command("export_flags", "--run", str(done_run.pk), "--out", str(tmp_path / "db"))

        def found(folder: str) -> set[tuple[str, ...]]:
            rows = read(tmp_path / folder / "flags.csv")
            columns = ("flag_id", "rule_code", "setl_id", "feedetl_sn", "psn_no", "sev_deg")
            return {tuple(row[name] for name in (*columns, "amount_at_risk")) for row in rows}

        stored, from_files = found("db"), found("files")
        assert stored == from_files
        assert any(row[1] == "OVER_PRICE" for row in stored)


class TestExportScores:
    def test_writes_both_rankings_of_the_run(self, done_run, tmp_path, capsys):
        call_command("export_scores", "--run", str(done_run.pk), "--out", str(tmp_path))

        [hospital] = read(tmp_path / "institution_scores.csv")
        assert list(hospital) == ["fixmedins_code", *SCORE_EXPORT_COLUMNS]
        assert hospital["fixmedins_code"] == "H37010200001"
        assert (hospital["window_start"], hospital["window_end"]) == ("2026-03-01", "2026-03-31")
        assert hospital["rank"] == "1"
        assert 0 < float(hospital["risk_score"]) <= 1
        assert hospital["top_features"].startswith("[")
        header = (tmp_path / "practitioner_scores.csv").read_text(encoding="utf-8").splitlines()
        assert header == [",".join(["dr_code", *SCORE_EXPORT_COLUMNS])]  # no orders by anyone
        out = capsys.readouterr().out
        assert "wrote institution_scores.csv, 1 rows" in out
        assert "wrote practitioner_scores.csv" in out
