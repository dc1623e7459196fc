"""Model fields of our own."""

from __future__ import annotations

from typing import Any

from django.db import models


class RowInsertedJSONField(models.JSONField):
    """A JSONField whose bulk inserts use one VALUES row per object.

    On PostgreSQL Django 5.2 inserts several rows through UNNEST of one array per column;
    psycopg then escapes every JSON document of the array in Python, character class by
    character class. For the pre-check's records (a claim of 50 lines each) that was three
    times the cost of plain rows: 17-21 against 5-7 ms of CPU for eight claims. A field with
    its own placeholder makes Django insert plain rows.
    """

    def get_placeholder(self, value: Any, compiler: Any, connection: Any) -> str:
        return "%s"
