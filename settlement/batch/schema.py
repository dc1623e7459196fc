"""What the database accepts for each interchange column, read from the model fields.

The interchange mapping says the kind of a column; the model field adds the limits the
database enforces (decimal places and digits, non-negative integers, NULL or blank).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.db import models

from medins.interchange import Column, FileSpec

_INT_MAX = {
    models.PositiveSmallIntegerField: 32_767,
    models.SmallIntegerField: 32_767,
    models.PositiveIntegerField: 2_147_483_647,
    models.IntegerField: 2_147_483_647,
}

_POSITIVE = (models.PositiveSmallIntegerField, models.PositiveIntegerField)


@dataclass(frozen=True)
class Target:
    """One column of a file: its national name, kind and the stored field's limits."""

    column: Column
    db_column: str
    null: bool  # stored as NULL when empty; otherwise '' (text) or the default
    default: object
    places: int = 0  # decimal places kept by the database (money: 2)
    int_digits: int = 0  # digits before the point the database holds
    min_int: int | None = None
    max_int: int | None = None
    max_length: int | None = None

    @property
    def national(self) -> str:
        return self.column.national

    @property
    def kind(self) -> str:
        return self.column.kind


def _field(model: type[models.Model], attname: str) -> models.Field:
    return next(field for field in model._meta.concrete_fields if field.attname == attname)


def _target(model: type[models.Model], column: Column) -> Target:
    field = _field(model, column.field)
    field_for_limits = field.target_field if isinstance(field, models.ForeignKey) else field
    limits: dict[str, object] = {"max_length": column.max_length or field_for_limits.max_length}
    if isinstance(field, models.DecimalField):
        limits["places"] = field.decimal_places
        limits["int_digits"] = field.max_digits - field.decimal_places
    for kind, maximum in _INT_MAX.items():
        if isinstance(field, kind):
            limits["max_int"] = maximum
            positive = isinstance(field, _POSITIVE)
            limits["min_int"] = 0 if positive else -maximum - 1
            break
    default = field.get_default() if field.has_default() else None
    return Target(column, field.column, field.null, default, **limits)


@cache
def targets(spec: FileSpec) -> tuple[Target, ...]:
    """The columns of a file spec with the limits of the fields they are stored in."""
    model = apps.get_model(spec.model)
    return tuple(_target(model, column) for column in spec.columns)


def model_of(spec: FileSpec) -> type[models.Model]:
    return apps.get_model(spec.model)


def db_table(spec: FileSpec) -> str:
    return model_of(spec)._meta.db_table
