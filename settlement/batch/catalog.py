"""Catalog versions: a new code opens its first version, a changed row a new one.

A row identical to the current version (effective_from aside) changes nothing. A changed row
closes the current version on the new row's effective_from (default: the import's day) and
opens a new one from that day; the same day as the current version's start corrects it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import polars as pl
from django.utils.translation import gettext as _

from medins.interchange import CATALOG
from medins.models import CatalogItem
from settlement.batch.common import TypedFile, errors_where, no_errors
from settlement.batch.references import CHUNK
from settlement.batch.schema import Target, targets

FIRST_VERSION_FROM = date(2000, 1, 1)  # a code's first version, when the file gives no date
KEY = "med_list_codg"
FROM = "effective_from"


@dataclass
class Plan:
    """What importing the catalog file does to the stored versions."""

    new_versions: list[CatalogItem] = field(default_factory=list)
    closes: dict[date, list[int]] = field(default_factory=dict)  # effective_to -> pks
    corrections: list[CatalogItem] = field(default_factory=list)  # current versions, changed
    unchanged: int = 0


def _content() -> list[Target]:
    return [target for target in targets(CATALOG) if target.national not in (KEY, FROM)]


def to_python(target: Target, value: object) -> object:
    """A typed frame value as the model field takes it (scaled integers become Decimal)."""
    if value is None:
        if target.null:
            return None
        return "" if target.kind == "str" else target.default
    if target.kind in ("decimal", "money"):
        return Decimal(value).scaleb(-target.places)
    return value


def from_python(target: Target, value: object) -> object:
    """A stored value as the typed frame holds it ('' and NULL alike are null)."""
    if value in (None, ""):
        return None
    if target.kind in ("decimal", "money"):
        return int(Decimal(value).scaleb(target.places))
    return value


def _stored_versions(codes: list[str]) -> pl.DataFrame:
    content = _content()
    fields = ["pk", "code", "effective_from", *[target.column.field for target in content]]
    rows = []
    for start in range(0, len(codes), CHUNK):
        chunk = codes[start : start + CHUNK]
        query = CatalogItem.objects.filter(code__in=chunk, effective_to__isnull=True)
        for pk, code, since, *values in query.values_list(*fields):
            typed = [
                from_python(target, value) for target, value in zip(content, values, strict=True)
            ]
            rows.append((pk, code, since, *typed))
    schema = {"__pk": pl.Int64, KEY: pl.String, "__since": pl.Date}
    schema |= {f"__stored_{target.national}": _polars_type(target) for target in content}
    return pl.DataFrame(rows, schema=schema, orient="row")


def _polars_type(target: Target) -> pl.DataType:
    return {"int": pl.Int64, "decimal": pl.Int64, "money": pl.Int64, "bool": pl.Boolean}.get(
        target.kind, pl.String
    )


def plan(catalog: TypedFile | None, *, today: date) -> tuple[Plan | None, pl.DataFrame]:
    """The version changes the catalog file asks for, and the rows that cannot be applied."""
    if catalog is None:
        return None, no_errors()
    codes = catalog.frame[KEY].drop_nulls().unique().to_list()
    joined = catalog.frame.join(_stored_versions(codes), on=KEY, how="left")
    content = _content()
    for target in content:  # a column the file lacks keeps the stored value
        if target.national not in catalog.present:
            joined = joined.with_columns(
                pl.col(f"__stored_{target.national}").alias(target.national)
            )
    changed = pl.any_horizontal(
        pl.col(t.national).ne_missing(pl.col(f"__stored_{t.national}")) for t in content
    )
    joined = joined.with_columns(
        changed.alias("__changed"),
        pl.coalesce(FROM, pl.when(pl.col("__pk").is_null()).then(pl.lit(FIRST_VERSION_FROM))
                    .otherwise(pl.lit(today))).alias("__from"),
    )  # fmt: skip
    early = pl.col("__changed") & (pl.col("__from") < pl.col("__since"))
    reason = pl.format(_("must not be before {}, when the current version took effect"),
                       pl.col("__since").dt.strftime("%Y-%m-%d"))  # fmt: skip
    errors = errors_where(joined, early, file=catalog.label, column=FROM, reason=reason)
    return _actions(joined, content), errors


def _actions(joined: pl.DataFrame, content: list[Target]) -> Plan:
    result = Plan()
    for row in joined.iter_rows(named=True):
        if row["__pk"] is not None and not row["__changed"]:
            result.unchanged += 1
            continue
        values = {t.column.field: to_python(t, row[t.national]) for t in content}
        version = CatalogItem(code=row[KEY], effective_from=row["__from"], **values)
        if row["__pk"] is None:
            result.new_versions.append(version)
        elif row["__from"] == row["__since"]:
            version.pk = row["__pk"]
            result.corrections.append(version)
        else:
            result.closes.setdefault(row["__from"], []).append(row["__pk"])
            result.new_versions.append(version)
    return result


def apply(catalog_plan: Plan) -> dict[str, int]:
    """Close, correct and open versions (closing first: one current version per code)."""
    for effective_to, pks in catalog_plan.closes.items():
        for start in range(0, len(pks), CHUNK):
            chunk = pks[start : start + CHUNK]
            CatalogItem.objects.filter(pk__in=chunk).update(effective_to=effective_to)
    fields = [target.column.field for target in _content()]
    CatalogItem.objects.bulk_update(catalog_plan.corrections, fields, batch_size=1000)
    CatalogItem.objects.bulk_create(catalog_plan.new_versions, batch_size=1000)
    closed = sum(len(pks) for pks in catalog_plan.closes.values())
    return {
        "inserted": len(catalog_plan.new_versions),
        "updated": closed + len(catalog_plan.corrections),
        "unchanged": catalog_plan.unchanged,
    }
