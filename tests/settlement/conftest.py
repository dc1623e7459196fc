"""A copy of fixtures/small per test, and helpers to spoil one of its files."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest

from medins.models import CatalogItem, Icd10Category, Institution, Person, Practitioner
from settlement.models import BedCheck, Diagnosis, FeeLine, ImportBatch, Settlement
from settlement.services import batch_import
from tests.celery_worker import celery_worker, celery_worker_process  # noqa: F401  (fixtures)

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "small"
TODAY = date(2026, 4, 1)
STORED_MODELS = (
    Institution,
    Practitioner,
    Person,
    CatalogItem,
    Settlement,
    Diagnosis,
    FeeLine,
    BedCheck,
)


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    """A writable copy of fixtures/small."""
    folder = tmp_path / "small"
    shutil.copytree(FIXTURE, folder)
    return folder


@pytest.fixture
def known_icd10(db) -> None:
    """The categories the fixture's diagnoses use, so only a test's own codes are unknown."""
    for code in ("J06", "I63", "I10", "E11"):
        Icd10Category.objects.get_or_create(code=code, defaults={"name_zh": code, "chapter": 1})


def run_import(source: Path, **options: object) -> ImportBatch:
    return batch_import(source=source, today=options.pop("today", TODAY), **options)


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, rows: list[dict[str, str]], fields: list[str] | None = None) -> None:
    fields = fields or list(rows[0])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def edit(folder: Path, name: str, row: int, **values: str) -> None:
    """Set columns of one data row (0-based) of folder/name.csv."""
    path = folder / f"{name}.csv"
    rows = read_rows(path)
    rows[row].update(values)
    write_rows(path, rows)


def stored_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in STORED_MODELS}


def nothing_stored() -> bool:
    return not any(stored_counts().values())
