"""Response bodies made from .values() rows instead of model instances, for the hot reads.

An output serializer builds its fields anew (deep copies) for every object and reads each
attribute through its field; on a read of a settlement with its lines that was half the
request. Rows writes a plain row with the same serializer's fields, built once: its names in
its order, each value as the field's to_representation writes it (None stays None, as DRF's
Serializer.to_representation does; the time zone looked up once per body); what a field
computes (a method field, a nested list) is given by the caller. Tests compare both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, tzinfo
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db.models import Model
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from medins.compiled import field_names
from settlement.api.serializers import (
    DiagnosisOutputSerializer,
    FeeDetailOutputSerializer,
    SettlementOutputSerializer,
    SettlementSummarySerializer,
    decimal_quantizing,
    fields_timezone,
)

Row = dict[str, Any]


class Rows:
    """Writes rows (keyed by the fields' sources, dotted ones joined with __) the way
    serializer_class writes objects; computed: the fields the caller works out from the row."""

    def __init__(
        self, serializer_class: type[serializers.Serializer], **computed: Callable[[Row], Any]
    ) -> None:
        self._serializer_class = serializer_class
        self._computed = computed

    @cached_property
    def _plan(self) -> list[tuple[str, str | None, Callable[..., Any]]]:
        plan = []
        for name, field in self._serializer_class().fields.items():
            if name in self._computed:
                plan.append((name, None, self._computed[name]))
            elif isinstance(field, serializers.SerializerMethodField | serializers.BaseSerializer):
                raise TypeError(f"{self._serializer_class.__name__}.{name} must be computed")
            elif not field.source_attrs:
                raise TypeError(f"{self._serializer_class.__name__}.{name} reads the whole object")
            else:
                plan.append((name, "__".join(field.source_attrs), _writer(field)))
        return plan

    @property
    def sources(self) -> list[str]:
        """The row keys the fields read themselves: what to ask .values() for."""
        return [source for _name, source, _write in self._plan if source is not None]

    def write(self, row: Row) -> dict[str, Any]:
        return self._write(row, fields_timezone())

    def write_all(self, rows: Iterable[Row]) -> list[dict[str, Any]]:
        zone = fields_timezone()
        return [self._write(row, zone) for row in rows]

    def _write(self, row: Row, zone: tzinfo | None) -> dict[str, Any]:
        body = {}
        for name, source, write in self._plan:
            if source is None:
                body[name] = write(row)
            else:
                value = row[source]
                body[name] = None if value is None else write(value, zone)
        return body


def _writer(field: serializers.Field) -> Callable[[Any, tzinfo | None], Any]:
    """field.to_representation, with the plain cases of the fields used here made direct:
    what DRF 3.x's CharField, IntegerField, DecimalField and DateTimeField do for them."""
    kind = type(field)
    if kind is serializers.CharField:
        return lambda value, zone: str(value)
    if kind is serializers.IntegerField:
        return lambda value, zone: int(value)
    if kind is serializers.DecimalField and _plain_decimal(field):
        return _decimal_writer(field)
    if kind is serializers.DateTimeField and _plain_datetime(field):
        return _datetime_writer(field)
    return lambda value, zone: field.to_representation(value)


def _plain_decimal(field: serializers.DecimalField) -> bool:
    coerce = getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
    plain = coerce and not field.localize and not field.normalize_output
    return plain and field.decimal_places is not None


def _decimal_writer(field: serializers.DecimalField) -> Callable[[Any, tzinfo | None], str]:
    exponent, context = decimal_quantizing(field)
    rounding = field.rounding

    def write(value: Any, zone: tzinfo | None) -> str:
        if not isinstance(value, Decimal):
            value = Decimal(str(value).strip())
        return f"{value.quantize(exponent, rounding=rounding, context=context):f}"

    return write


def _plain_datetime(field: serializers.DateTimeField) -> bool:
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
    plain = output_format is not None and output_format.lower() != ISO_8601
    return plain and not hasattr(field, "timezone")


def _datetime_writer(field: serializers.DateTimeField) -> Callable[[Any, tzinfo | None], Any]:
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)

    def write(value: Any, zone: tzinfo | None) -> Any:
        if zone is None or not isinstance(value, datetime) or not timezone.is_aware(value):
            return field.to_representation(value)
        return value.astimezone(zone).strftime(output_format)

    return write


def model_row(instance: Model) -> Row:
    """A model instance's concrete fields by attname, as .values() gives them."""
    return {name: getattr(instance, name) for name in field_names(type(instance))}


# A settlement's row as settlement.selectors gives it: its fields, its links and breakdown
# (SETTLEMENT_LINKS, SETTLEMENT_BREAKDOWN), its diagnoses and fee lines.
def _breakdown(row: Row) -> dict[str, Any] | None:
    if row["breakdown__id"] is None:
        return None
    return {
        "policy_version": row["breakdown__policy_version"],
        "amounts": row["breakdown__amounts"],
        "steps": row["breakdown__steps"],
    }


_SUMMARY_COMPUTED: dict[str, Callable[[Row], Any]] = {
    "refd_setl_flag": lambda row: "1" if row["is_reversal"] else "0",
    "reversed_by": lambda row: row["reversal__reversing"],
    "reverses": lambda row: row["reverses__original"],
}
SUMMARY = Rows(SettlementSummarySerializer, **_SUMMARY_COMPUTED)
DIAGNOSES = Rows(DiagnosisOutputSerializer)
FEE_LINES = Rows(FeeDetailOutputSerializer)
SETTLEMENT = Rows(
    SettlementOutputSerializer,
    **_SUMMARY_COMPUTED,
    diagnoses=lambda row: DIAGNOSES.write_all(row["diagnoses"]),
    fee_details=lambda row: FEE_LINES.write_all(row["fee_lines"]),
    breakdown=_breakdown,
)
