"""One row written by a plain INSERT, for writes on every request (the audit log, the
Idempotency-Key): a model instance's save() costs about twice the CPU for the same row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def insert_row(
    model: type[models.Model], values: dict[str, Any], *, on_conflict: Sequence[str] = ()
) -> bool:
    """INSERT the fields' values (by field name) as save() prepares them; with on_conflict,
    ON CONFLICT (those fields) DO NOTHING, on PostgreSQL and SQLite alike. True if it
    inserted the row."""
    meta = model._meta
    fields = [meta.get_field(name) for name in values]
    params = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values.values(), strict=True)
    ]
    quote = connection.ops.quote_name
    statement = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    if on_conflict:
        unique = ", ".join(quote(meta.get_field(name).column) for name in on_conflict)
        statement += f" ON CONFLICT ({unique}) DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(f"{statement} RETURNING {quote(meta.pk.column)}", params)
        return cursor.fetchone() is not None
