"""Catalog versions: first versions, changes that close and open versions, identical rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from medins.models import CatalogItem
from settlement.models import ImportBatch
from tests.settlement.conftest import edit, read_rows, run_import, write_rows

CODE = "002503020030000"  # 血常规, the second catalog row


def _versions() -> list[tuple]:
    rows = CatalogItem.objects.filter(code=CODE).order_by("effective_from")
    return list(rows.values_list("effective_from", "effective_to", "price_cap"))


@pytest.mark.django_db
class TestCatalogVersions:
    def test_a_new_code_without_effective_from_starts_in_2000(self, batch, tmp_path):
        rows = read_rows(batch / "catalog.csv")
        fields = [name for name in rows[0] if name != "effective_from"]
        write_rows(tmp_path / "catalog.csv", rows, fields)

        run_import(tmp_path / "catalog.csv")

        assert _versions() == [(date(2000, 1, 1), None, Decimal("25"))]

    def test_an_identical_row_is_a_no_op_whatever_its_effective_from(self, batch):
        run_import(batch / "catalog.csv")
        edit(batch, "catalog", 1, effective_from="2025-06-01")

        again = run_import(batch / "catalog.csv")

        assert again.row_counts["catalog.csv"]["unchanged"] == 4
        assert _versions() == [(date(2024, 1, 1), None, Decimal("25"))]

    def test_a_changed_row_closes_the_current_version_on_the_import_day(self, batch):
        run_import(batch / "catalog.csv")
        edit(batch, "catalog", 1, pric_uplmt_amt="28", effective_from="")

        again = run_import(batch / "catalog.csv", today=date(2026, 4, 1))

        assert again.row_counts["catalog.csv"] == {
            "rows": 4,
            "inserted": 1,
            "updated": 1,
            "unchanged": 3,
        }
        assert _versions() == [
            (date(2024, 1, 1), date(2026, 4, 1), Decimal("25")),
            (date(2026, 4, 1), None, Decimal("28")),
        ]

    def test_a_changed_row_takes_effect_on_its_effective_from(self, batch):
        run_import(batch / "catalog.csv")
        edit(batch, "catalog", 1, pric_uplmt_amt="28", effective_from="2026-01-01")

        run_import(batch / "catalog.csv")

        assert _versions() == [
            (date(2024, 1, 1), date(2026, 1, 1), Decimal("25")),
            (date(2026, 1, 1), None, Decimal("28")),
        ]

    def test_a_change_on_the_current_start_day_corrects_that_version(self, batch):
        run_import(batch / "catalog.csv")
        edit(batch, "catalog", 1, pric_uplmt_amt="26.5")

        run_import(batch / "catalog.csv")

        assert _versions() == [(date(2024, 1, 1), None, Decimal("26.5"))]

    def test_a_change_before_the_current_version_is_an_error(self, batch):
        run_import(batch / "catalog.csv")
        edit(batch, "catalog", 1, pric_uplmt_amt="28", effective_from="2023-01-01")

        result = run_import(batch / "catalog.csv")

        assert result.status == ImportBatch.Status.REJECTED
        assert result.errors == [
            {
                "file": "catalog.csv",
                "row": 3,
                "column": "effective_from",
                "value": "2023-01-01",
                "reason": "must not be before 2024-01-01, when the current version took effect",
            }
        ]
        assert _versions() == [(date(2024, 1, 1), None, Decimal("25"))]
