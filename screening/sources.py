"""Read the registry and settlement tables into the frames rules read (screening/frames.py).

PostgreSQL goes through ADBC (Arrow, no Python objects per row); SQLite through its DB-API
cursor. The SELECT lists come from the one interchange mapping, so column names and kinds are
never written twice: amounts leave the database as integer fen, times as Shanghai wall clock.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import polars as pl
from django.apps import apps
from django.conf import settings
from django.db import connection

from medins import interchange
from medins.models import HOSPITAL_LEVEL_BY_CODE
from screening.frames import SCHEMAS

SPEC_BY_FRAME = {
    "institutions": interchange.INSTITUTIONS,
    "practitioners": interchange.PRACTITIONERS,
    "persons": interchange.PERSONS,
    "catalog": interchange.CATALOG,
    "settlements": interchange.SETTLEMENTS,
    "diagnoses": interchange.DIAGNOSES,
    "fee_lines": interchange.FEE_DETAILS,
    "bed_checks": interchange.BED_CHECKS,
}
FEN_NATIONALS = {"pric", "pric_uplmt_amt"}  # prices: fen like amounts, inside frames


@dataclass(frozen=True)
class Slice:
    """Which rows to read: persons in [psn_from, psn_to) active in [since, until)."""

    since: datetime
    until: datetime
    psn_from: str = ""
    psn_to: str = ""


def window_slice(*, window_start: date, window_end: date, lookback_days: int, **psn: str) -> Slice:
    zone = ZoneInfo(settings.TIME_ZONE)
    since = datetime.combine(window_start - timedelta(days=lookback_days), time(), zone)
    until = datetime.combine(window_end + timedelta(days=1), time(), zone)
    return Slice(since=since, until=until, **psn)


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _column_sql(spec: interchange.FileSpec, national: str) -> str:
    column = spec.column(national)
    model = apps.get_model(spec.model)
    fields = {field.name: field for field in model._meta.get_fields() if field.concrete}
    field = fields.get(column.field) or fields[column.field.removesuffix("_id")]  # check_id
    name = field.column
    if column.kind == "money" or national in FEN_NATIONALS:
        cast = "bigint" if _is_postgres() else "INTEGER"
        return f"CAST(ROUND({name} * 100) AS {cast})"
    if column.kind == "decimal":
        return f"CAST({name} AS {'double precision' if _is_postgres() else 'REAL'})"
    if column.kind == "datetime":
        if _is_postgres():
            return f"({name} AT TIME ZONE '{settings.TIME_ZONE}')"
        return f"CAST({name} AS TEXT)"  # UTC text; no decltype, so no converter runs
    if column.kind == "date" and not _is_postgres():
        return f"CAST({name} AS TEXT)"
    if column.kind == "bool":
        return f"CAST({name} AS {'boolean' if _is_postgres() else 'INTEGER'})"
    return name


def select_sql(frame: str) -> str:
    """SELECT … FROM table, national names as aliases, for the columns the frame declares."""
    return _select_sql(frame, connection.vendor, settings.TIME_ZONE)


@functools.lru_cache(maxsize=64)
def _select_sql(frame: str, vendor: str, zone: str) -> str:
    # Built once per frame, database and zone: the pre-check asks for it on every claim.
    spec = SPEC_BY_FRAME[frame]
    table = apps.get_model(spec.model)._meta.db_table
    wanted = [name for name in SCHEMAS[frame] if name in spec.nationals]
    columns = ", ".join(f"{_column_sql(spec, name)} AS {name}" for name in wanted)
    return f"SELECT {columns} FROM {table}"


def read_sql(sql: str, params: list) -> pl.DataFrame:
    """Run one SELECT on the default database and return its rows as a frame."""
    if _is_postgres():
        return _read_postgres(sql, params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
    return pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)


def _read_postgres(sql: str, params: list) -> pl.DataFrame:
    import adbc_driver_postgresql.dbapi as adbc
    from psycopg import sql as psql

    connection.ensure_connection()
    rendered = psql.SQL(sql.replace("%s", "{}")).format(*map(psql.Literal, params))
    text = rendered.as_string(connection.connection)
    with adbc.connect(_postgres_uri()) as conn, conn.cursor() as cursor:
        cursor.execute(text)
        return pl.from_arrow(cursor.fetch_arrow_table())


def _postgres_uri() -> str:
    db = connection.settings_dict
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{auth}{host}{port}/{db['NAME']}"


def conform(frame: str, rows: pl.DataFrame) -> pl.LazyFrame:
    """Cast what a source returned to the frame's schema; SQLite times arrive as UTC text,
    and empty text becomes null, as an empty cell of a batch file does."""
    schema = SCHEMAS[frame]
    lazy = rows.lazy()
    exprs = []
    for name, dtype in schema.items():
        if name not in rows.columns:
            exprs.append(pl.lit(None, dtype=dtype).alias(name))
        elif dtype == pl.Datetime("us") and rows.schema[name] == pl.String:
            exprs.append(utc_text_to_local(name))
        elif dtype == pl.Date and rows.schema[name] == pl.String:
            exprs.append(pl.col(name).str.to_date("%Y-%m-%d"))
        elif rows.schema[name] == pl.String:  # "" is how tables store "none"; files: empty
            exprs.append(pl.when(pl.col(name) != "").then(pl.col(name)).cast(dtype, strict=False))
        else:
            exprs.append(pl.col(name).cast(dtype, strict=False))
    lazy = lazy.select(exprs)
    if frame == "institutions":
        lazy = lazy.with_columns(
            hosp_level=pl.col("hosp_lv").replace_strict(
                HOSPITAL_LEVEL_BY_CODE, default=None, return_dtype=pl.Int8
            )
        )
    return lazy


def utc_text_to_local(name: str) -> pl.Expr:
    return (
        pl.col(name)
        .str.slice(0, 19)
        .str.to_datetime("%Y-%m-%d %H:%M:%S", time_unit="us")
        .dt.replace_time_zone("UTC")
        .dt.convert_time_zone(settings.TIME_ZONE)
        .dt.replace_time_zone(None)
    )


def _utc_param(moment: datetime) -> datetime | str:
    """SQLite compares the stored UTC text; PostgreSQL takes the aware datetime."""
    if _is_postgres():
        return moment
    return moment.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S")


def _person_range(column: str, part: Slice) -> tuple[list[str], list]:
    clauses, params = [], []
    if part.psn_from:
        clauses.append(f"{column} >= %s")
        params.append(part.psn_from)
    if part.psn_to:
        clauses.append(f"{column} < %s")
        params.append(part.psn_to)
    return clauses, params


def _settlement_filter(part: Slice) -> tuple[str, list]:
    clauses, params = _person_range("person_id", part)
    clauses += ["begin_time < %s", "end_time >= %s"]
    params += [_utc_param(part.until), _utc_param(part.since)]
    return " AND ".join(clauses), params


def _where(frame: str, part: Slice, catalog_day: date) -> tuple[str, list]:
    if frame == "fee_lines":
        clauses, params = _person_range("person_id", part)
        clauses += ["occurred_at >= %s", "occurred_at < %s"]
        return " AND ".join(clauses), [*params, _utc_param(part.since), _utc_param(part.until)]
    if frame == "settlements":
        return _settlement_filter(part)
    if frame in ("diagnoses", "bed_checks"):
        condition, params = _settlement_filter(part)
        inner = f"SELECT encounter_id FROM settlement_settlement WHERE {condition}"
        return f"encounter_id IN ({inner})", params
    if frame == "persons":
        clauses, params = _person_range("psn_no", part)
        return " AND ".join(clauses), params
    if frame == "catalog":  # the version in force on the last day of the window
        day = catalog_day.isoformat()
        return "effective_from <= %s AND (effective_to IS NULL OR effective_to > %s)", [day, day]
    return "", []


def read_frames(names: set[str], part: Slice, *, catalog_day: date) -> dict[str, pl.LazyFrame]:
    """Read each named frame for a slice: only the rows and columns the rules need."""
    frames = {}
    for name in sorted(names):
        where, params = _where(name, part, catalog_day)
        sql = select_sql(name) + (f" WHERE {where}" if where else "")
        frames[name] = conform(name, read_sql(sql, params))
    return frames
