"""Upsert validated files into the database, all in the caller's transaction.

PostgreSQL: COPY into a temporary staging table shaped like the target, then one set-based
INSERT .. SELECT .. ON CONFLICT DO UPDATE .. WHERE the row IS DISTINCT. SQLite: one
executemany of the same upsert. A row identical to the stored one is never rewritten.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
from django.conf import settings
from django.db import connection

from medins.interchange import FileSpec
from settlement.batch import catalog
from settlement.batch.common import TypedFile
from settlement.batch.schema import Target, db_table, model_of, targets

COPY_SLICE = 200_000  # rows per CSV chunk sent to COPY: bounded memory, few write calls
NULL = r"\N"


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _db_value(target: Target, *, postgres: bool) -> pl.Expr:
    """The typed column as the database stores it (text for COPY, values for SQLite)."""
    column, kind = pl.col(target.national), target.kind
    if kind in ("decimal", "money"):
        column = _decimal_text(column, target.places)
    elif kind == "date":
        column = column.dt.strftime("%Y-%m-%d")
    elif kind == "datetime":
        utc = column.dt.replace_time_zone(settings.TIME_ZONE, ambiguous="earliest")
        column = utc.dt.convert_time_zone("UTC").dt.strftime(
            "%Y-%m-%d %H:%M:%S+00" if postgres else "%Y-%m-%d %H:%M:%S"
        )
    elif kind == "bool" and not postgres:
        column = column.cast(pl.Int8)
    if target.null:
        return column.alias(target.db_column)
    fallback = "" if kind == "str" else target.default
    if kind == "bool" and not postgres:
        fallback = int(bool(fallback))
    return column.fill_null(pl.lit(fallback)).alias(target.db_column)


def _decimal_text(scaled: pl.Expr, places: int) -> pl.Expr:
    """-1250 with places 2 -> '-12.50'."""
    sign = pl.when(scaled < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    whole = (scaled.abs() // 10**places).cast(pl.String)
    if not places:
        return pl.concat_str(sign, whole)
    fraction = (scaled.abs() % 10**places).cast(pl.String).str.pad_start(places, "0")
    return pl.concat_str(sign, whole, pl.lit("."), fraction)


def _division_level(code: pl.Expr) -> pl.Expr:
    """Province 370000, city 370100, county 370102, town 9 digits, village 12."""
    length = code.str.len_chars()
    return (
        pl.when(length <= 2).then(1)
        .when(length <= 4).then(2)
        .when(length <= 6).then(
            pl.when(code.str.ends_with("0000")).then(1)
            .when(code.str.ends_with("00")).then(2).otherwise(3)
        )
        .when(length <= 9).then(4)
        .otherwise(5)
        .alias("level")
    )  # fmt: skip


def db_rows(typed: TypedFile, *, postgres: bool) -> tuple[pl.DataFrame, list[str]]:
    """The stored columns of every row, and the columns an update may change."""
    spec_targets = targets(typed.spec)
    frame = typed.frame.select(_db_value(target, postgres=postgres) for target in spec_targets)
    keys = set(typed.spec.key)
    updatable = [
        t.db_column for t in spec_targets if t.national in typed.present and t.national not in keys
    ]
    if typed.spec.name == "divisions":
        frame = frame.with_columns(_division_level(pl.col("code")))
        updatable.append("level")
    return frame.with_columns(_unmapped_defaults(typed.spec, frame.columns)), updatable


def _unmapped_defaults(spec: FileSpec, mapped: list[str]) -> list[pl.Expr]:
    """Fields the contract does not carry (a bed check's note) get their default on insert."""
    defaults = []
    for field in model_of(spec)._meta.concrete_fields:
        if field.column in mapped or (field.primary_key and field.auto_created):
            continue
        empty = None if field.null else ""
        value = field.get_default() if field.has_default() else empty
        defaults.append(pl.lit(value).alias(field.column))
    return defaults


def _upsert_sql(spec: FileSpec, columns: list[str], updatable: list[str], rows: str) -> str:
    table = _quote(db_table(spec))
    keys = [t.db_column for t in targets(spec) if t.national in spec.key]
    names = ", ".join(map(_quote, columns))
    sets = ", ".join(f"{_quote(c)} = EXCLUDED.{_quote(c)}" for c in updatable)
    stored = ", ".join(f"{table}.{_quote(c)}" for c in updatable)
    incoming = ", ".join(f"EXCLUDED.{_quote(c)}" for c in updatable)
    distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    return (
        f"INSERT INTO {table} ({names}) {rows} "
        f"ON CONFLICT ({', '.join(map(_quote, keys))}) DO UPDATE SET {sets} "
        f"WHERE ({stored}) {distinct} ({incoming})"
    )


def _load_postgres(typed: TypedFile) -> dict[str, int]:
    rows, updatable = db_rows(typed, postgres=True)
    columns = list(rows.columns)
    names = ", ".join(map(_quote, columns))
    stage = _quote(f"stage_{typed.spec.name}")
    select = f"SELECT {names} FROM {stage}"
    upsert = _upsert_sql(typed.spec, columns, updatable, select)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        table = _quote(db_table(typed.spec))
        cursor.execute(f"CREATE TEMP TABLE {stage} AS SELECT {names} FROM {table} WITH NO DATA")
        copy_sql = f"COPY {stage} ({names}) FROM STDIN (FORMAT csv, NULL '{NULL}')"
        with connection.wrap_database_errors, cursor.cursor.copy(copy_sql) as copy:
            for chunk in rows.iter_slices(COPY_SLICE):
                copy.write(chunk.write_csv(include_header=False, null_value=NULL).encode())
        cursor.execute(
            f"WITH written AS ({upsert} RETURNING (xmax = 0) AS inserted) "
            "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) "
            "FROM written"
        )
        inserted, updated = cursor.fetchone()
        cursor.execute(f"DROP TABLE {stage}")
    return {"inserted": inserted, "updated": updated, "unchanged": len(rows) - inserted - updated}


def _load_sqlite(typed: TypedFile) -> dict[str, int]:
    rows, updatable = db_rows(typed, postgres=False)
    placeholders = ", ".join("?" * len(rows.columns))
    upsert = _upsert_sql(typed.spec, list(rows.columns), updatable, f"VALUES ({placeholders})")
    table = _quote(db_table(typed.spec))
    connection.ensure_connection()
    cursor = connection.connection.cursor()  # the raw sqlite3 cursor: no per-row wrapper work
    try:
        with connection.wrap_database_errors:  # raise Django's errors, as its cursor does
            before = cursor.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            cursor.executemany(upsert, rows.iter_rows())
            changed = cursor.rowcount
            after = cursor.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        cursor.close()
    inserted = after - before
    updated = changed - inserted
    return {"inserted": inserted, "updated": updated, "unchanged": len(rows) - changed}


def load_batch(
    files: dict[str, TypedFile],
    catalog_plan: catalog.Plan | None,
    *,
    step: Callable[[str], None] = lambda name: None,
) -> dict[str, dict[str, int]]:
    """Write every file in import order; returns inserted/updated/unchanged per file."""
    counts: dict[str, dict[str, int]] = {}
    loader = _load_postgres if connection.vendor == "postgresql" else _load_sqlite
    for name, typed in files.items():
        step(name)
        if name == "catalog":
            counts[typed.label] = catalog.apply(catalog_plan or catalog.Plan())
        else:
            counts[typed.label] = loader(typed)
        counts[typed.label]["rows"] = typed.frame.height
    return counts
