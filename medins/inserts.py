"""Rows written by plain INSERTs, for writes on every request (the audit log, the
Idempotency-Key, the pre-check's records): a model instance's save() costs about twice the
CPU for the same row, and bulk_create more again for a few rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models, transaction


def insert_row(
    model: type[models.Model], values: dict[str, Any], *, on_conflict: Sequence[str] = ()
) -> bool:
    """INSERT the fields' values (by field name) as save() prepares them; with on_conflict,
    ON CONFLICT (those fields) DO NOTHING, on PostgreSQL and SQLite alike. True if it
    inserted the row."""
    meta = model._meta
    fields = [meta.get_field(name) for name in values]
    statement, params = _insert(meta, fields, [list(values.values())])
    quote = connection.ops.quote_name
    if on_conflict:
        unique = ", ".join(quote(meta.get_field(name).column) for name in on_conflict)
        statement += f" ON CONFLICT ({unique}) DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(f"{statement} RETURNING {quote(meta.pk.column)}", params)
        return cursor.fetchone() is not None


def insert_together(*groups: list[models.Model]) -> None:
    """New rows of models, each group of one model, written at once: on PostgreSQL one
    INSERT whose earlier groups are INSERTs in its WITH clause (one round trip, atomic by
    itself; Django's foreign keys are checked at the end of the statement, so a later group
    may refer to an earlier one), every concrete field as save() prepares it; bulk_create in
    one transaction elsewhere. Rows whose primary key the database makes (an AutoField left
    None) get it, as from bulk_create. (Two COPYs in a transaction took four round trips and
    more CPU for a pre-check's few rows.)"""
    groups = tuple(group for group in groups if group)
    if not groups:
        return
    if connection.vendor != "postgresql":
        # All or nothing, as the one statement: no savepoint inside a caller's transaction.
        with transaction.atomic(savepoint=False):
            for group in groups:
                type(group[0]).objects.bulk_create(group)
        return
    quote = connection.ops.quote_name
    inserts, params, keyed = [], [], []
    for number, group in enumerate(groups):
        meta = group[0]._meta
        generated = meta.pk.db_returning and all(instance.pk is None for instance in group)
        fields = [field for field in meta.concrete_fields if not (generated and field is meta.pk)]
        rows = [[getattr(instance, field.attname) for field in fields] for instance in group]
        insert, values = _insert(meta, fields, rows)
        if generated:
            insert += f" RETURNING {quote(meta.pk.column)}"
            keyed.append(number)
        inserts.append(insert)
        params += values
    if keyed:  # every INSERT in the WITH clause; then the keys made, by group, in rows' order
        written = [f"w{number} AS ({insert})" for number, insert in enumerate(inserts)]
        keys = " UNION ALL ".join(
            f"SELECT {number}, {quote(groups[number][0]._meta.pk.column)} FROM w{number}"
            for number in keyed
        )
        statement = f"WITH {', '.join(written)} {keys}"
    else:
        written = [f"w{number} AS ({insert})" for number, insert in enumerate(inserts[:-1])]
        statement = f"WITH {', '.join(written)} {inserts[-1]}" if written else inserts[-1]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        made = cursor.fetchall() if keyed else []
    for number in keyed:
        keys = [key for of, key in made if of == number]
        for instance, key in zip(groups[number], keys, strict=True):
            instance.pk = key
    for group in groups:
        for instance in group:  # stored, as after save()
            instance._state.adding = False
            instance._state.db = connection.alias


def _insert(
    meta: Any, fields: Sequence[models.Field], rows: list[list[Any]]
) -> tuple[str, list[Any]]:
    """INSERT INTO the model's table of these fields' values, a row each, and its parameters
    (each value prepared as save() prepares it)."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    row = f"({', '.join(['%s'] * len(fields))})"
    params = [
        field.get_db_prep_save(value, connection)
        for values in rows
        for field, value in zip(fields, values, strict=True)
    ]
    statement = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {', '.join([row] * len(rows))}"
    )
    return statement, params
