"""A .values() query compiled once and run again with other parameters, for the hot reads.

Building and compiling a query costs Django far more than PostgreSQL takes to answer it: on
a settlement read (three small queries) about two thirds of the request's CPU. CompiledValues
builds the query once per thread with placeholder values, keeps its SQL, where the
placeholders went among its parameters and the converters its columns need, and then only
puts the new values in their places, executes, and converts the rows as Django's
ValuesIterable would. The SQL is the ORM's own, so the answers are the same (tests compare).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta
from functools import cache, cached_property
from typing import Any

from django.db import connections, router
from django.db.models import Count, Model, QuerySet, Value

Param = str | int | list[str] | datetime


class CompiledValues:
    """build(**params) returns a .values() queryset whose filters take the params (strings;
    integers for the names in numbers; lists of strings, through `__any`, for those in lists;
    aware datetimes for those in moments) as they are; rows(**params) gives its rows, as
    list(build(**params)) would, and rows(window=(start, stop), **params) those of
    build(**params)[start:stop]. Lists and datetimes pass as they are only to PostgreSQL
    (lists through medins.lookups): elsewhere a query that takes them is built anew."""

    def __init__(
        self,
        build: Callable[..., QuerySet],
        *names: str,
        numbers: Collection[str] = (),
        lists: Collection[str] = (),
        moments: Collection[str] = (),
    ) -> None:
        self._build = build
        self._names = names
        self._numbers = numbers
        self._lists = lists
        self._moments = moments
        self._local = threading.local()  # compilers per thread: each holds its connection

    def _compiled(self, window: tuple[int, int] | None) -> _Compiled:
        kept = self._local.__dict__.setdefault("compiled", {})
        compiled = kept.get(window)
        if compiled is None:
            marks = self._marks()
            queryset = self._build(**marks)
            if window is not None:
                queryset = queryset[window[0] : window[1]]
            compiled = kept[window] = _Compiled(queryset, marks)
        return compiled

    def rows(
        self, *, window: tuple[int, int] | None = None, **values: Param
    ) -> list[dict[str, Any]]:
        if (self._lists or self._moments) and not self._on_postgresql:
            built = self._build(**values)
            return list(built if window is None else built[window[0] : window[1]])
        return self._compiled(window).rows(values)

    @cached_property
    def _on_postgresql(self) -> bool:
        return connections[self._build(**self._marks()).db].vendor == "postgresql"

    def _marks(self) -> dict[str, Param]:
        return {name: self._mark(number, name) for number, name in enumerate(self._names)}

    def _mark(self, number: int, name: str) -> Param:
        """A value no caller passes, to find where the parameter went."""
        if name in self._numbers:
            return _NUMBER_MARK + number
        if name in self._lists:
            return [f"\x00{name}:{id(self)}\x00"]
        if name in self._moments:
            return _MOMENT_MARK + timedelta(microseconds=number)
        return f"\x00{name}:{id(self)}\x00"


# The least 32-bit integer: an id no row has, and inside an integer column's range (a value
# outside it makes Django refuse the lookup as empty instead of passing it).
_NUMBER_MARK = -(2**31)
_MOMENT_MARK = datetime(1, 1, 1, tzinfo=UTC)  # no stored moment is in the year 1


class _Compiled:
    def __init__(self, queryset: QuerySet, marks: dict[str, Param]) -> None:
        self.compiler = queryset.query.get_compiler(queryset.db)
        self.sql, params = self.compiler.as_sql()
        self.params = list(params)
        self.places = {
            name: [index for index, param in enumerate(params) if param == mark]
            for name, mark in marks.items()
        }
        if not all(self.places.values()):
            raise ValueError(f"a parameter of {queryset.query} is not passed as it is")
        query = queryset.query
        self.names = [*query.extra_select, *query.values_select, *query.annotation_select]
        compiler = self.compiler
        fields = [selected[0] for selected in compiler.select[0 : compiler.col_count]]
        self.converters = compiler.get_converters(fields)

    def rows(self, values: dict[str, Param]) -> list[dict[str, Any]]:
        params = list(self.params)
        for name, indexes in self.places.items():
            for index in indexes:
                params[index] = values[name]
        with connections[self.compiler.using].cursor() as cursor:
            cursor.execute(self.sql, params)
            found = cursor.fetchall()
        if self.converters:
            found = self.compiler.apply_converters(found, self.converters)
        return [dict(zip(self.names, row, strict=True)) for row in found]


@cache
def field_names(model: type[Model]) -> tuple[str, ...]:
    """Every concrete field's attname: the .values() of whole rows of the model."""
    return tuple(field.attname for field in model._meta.concrete_fields)


def instance(model: type[Model], row: dict[str, Any], prefix: str = "") -> Model:
    """The model instance, as the ORM makes it, of a row with its field_names (each after
    prefix: "profile__" for those of a related model read through it)."""
    names = field_names(model)
    return model.from_db(router.db_for_read(model), names, [row[prefix + n] for n in names])


def counted(queryset: QuerySet) -> QuerySet:
    """The queryset's count as a .values() query of one row, {"one": 1, "count": n}: no
    GROUP BY (a constant groups nothing), so a row even for none."""
    counting = queryset.order_by().annotate(one=Value(1)).values("one")
    return counting.annotate(count=Count("pk"))


class CompiledList:
    """What Django's Paginator asks of a queryset (its count, its slices, that it is ordered),
    answered by compiled queries: rows (a CompiledValues) and count (one of `counted`), with
    the same params. A window is read as one of page_size
    rows from its start, cut to its length: the same rows, one compiled query per page."""

    ordered = True

    def __init__(
        self, rows: CompiledValues, count: CompiledValues, *, page_size: int, **params: str
    ) -> None:
        self._rows = rows
        self._count = count
        self._page_size = page_size
        self._params = params

    def count(self) -> int:
        [found] = self._count.rows(**self._params)
        return found["count"]

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        start, stop = window.start or 0, window.stop
        if window.step is not None or stop is None or not 0 <= stop - start <= self._page_size:
            raise TypeError("only a window [start:stop] of at most a page of rows")
        found = self._rows.rows(window=(start, start + self._page_size), **self._params)
        return found[: stop - start]
