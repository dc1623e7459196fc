"""`field__any=values`: the field is one of the values, as `field__in=values` is, but on
PostgreSQL as one array parameter (`= ANY(%s)`) rather than a placeholder a value.

One parameter whatever the number of values, so a query compiled once (medins.compiled)
takes lists of any length; and psycopg does not parse a statement of many placeholders anew
each time (2 ms for a few hundred). Elsewhere (SQLite) it is `IN`. Registered on every field
when the registry app is ready (medins.apps).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import Lookup


class AnyOf(Lookup):
    lookup_name = "any"

    def get_prep_lookup(self) -> list[Any]:
        field = self.lhs.output_field
        return [field.get_prep_value(value) for value in self.rhs]

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(value, connection, prepared=True) for value in self.rhs]
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", (*lhs_params, values)
        if not values:
            raise EmptyResultSet
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", (*lhs_params, *values)
