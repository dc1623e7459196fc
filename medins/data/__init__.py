"""Reference data shipped with medins: ICD-10 categories and Shandong's divisions.

The CSV files are the artefacts; these loaders take the model class as an argument so that a
data migration can pass its historical model and a test or command the current one.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from medins.interchange import DIVISIONS

DATA_DIR = Path(__file__).resolve().parent
ICD10_CSV = DATA_DIR / "icd10_categories.csv"
DIVISIONS_CSV = DATA_DIR / "divisions_shandong.csv"

ICD10_FIELDS = ("name_zh", "name_en", "chapter", "only_gender", "min_age", "max_age")
# Bulk upserts in slices: one statement per slice stays under SQLite's variable limit.
BATCH_SIZE = 500


def division_level(code: str) -> int:
    """1 province … 5 village from the shape of a GB/T 2260 (6-digit) or 9/12-digit code."""
    if len(code) > 9:
        return 5
    if len(code) > 6:
        return 4
    if code.endswith("0000"):
        return 1
    if code.endswith("00"):
        return 2
    return 3


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def icd10_rows() -> list[dict[str, Any]]:
    """The ICD-10 categories as model field values, in code order."""
    rows = []
    for record in _read(ICD10_CSV):
        rows.append(
            {
                "code": record["code"],
                "name_zh": record["name_zh"],
                "name_en": record["name_en"],
                "chapter": int(record["chapter"]),
                "only_gender": record["only_gender"],
                "min_age": int(record["min_age"]) if record["min_age"] else None,
                "max_age": int(record["max_age"]) if record["max_age"] else None,
            }
        )
    return rows


def division_rows() -> list[dict[str, Any]]:
    """Shandong's divisions as model field values, parents before their children."""
    rows = []
    for record in _read(DIVISIONS_CSV):
        values = {column.field: record[column.national] or None for column in DIVISIONS.columns}
        values["level"] = division_level(values["code"])
        rows.append(values)
    return sorted(rows, key=lambda values: (values["level"], values["code"]))


def load_icd10_categories(model: Any) -> int:
    """Insert or refresh every category of the CSV; idempotent. Returns the row count."""
    rows = icd10_rows()
    model.objects.bulk_create(
        [model(**values) for values in rows],
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=list(ICD10_FIELDS),
    )
    return len(rows)


def unload_icd10_categories(model: Any) -> None:
    """Remove the categories the CSV brought (the reverse of the load)."""
    model.objects.filter(code__in=[values["code"] for values in icd10_rows()]).delete()


def load_divisions(model: Any) -> int:
    """Insert or refresh every division of the CSV with its level and parent; idempotent."""
    rows = division_rows()
    model.objects.bulk_create(
        [model(**values) for values in rows],
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "level", "parent"],
    )
    return len(rows)


def unload_divisions(model: Any) -> None:
    """Remove the CSV's divisions, children first; divisions others still use are protected."""
    rows = division_rows()
    for level in sorted({values["level"] for values in rows}, reverse=True):
        codes = [values["code"] for values in rows if values["level"] == level]
        model.objects.filter(code__in=codes).delete()
