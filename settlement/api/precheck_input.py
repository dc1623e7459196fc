"""The pre-check's request body through PrecheckInputSerializer, without DRF's per-field cost.

A 50-line claim is some 700 fields; DRF's generic machinery (empty-value checks, nested
serializer instances, error collection) costs ~9 ms of CPU for them, most of a pre-check's
budget. `precheck_encounter` runs the same serializer's own fields without it: each field's
own conversion (`to_internal_value`; times in the interchange format parsed directly, as
strptime would) and its own validators, then each serializer's own `validate`; a field that
validates in a way of its own runs its whole `run_validation`. Anything refused (a missing
field, a null, a value any check rejects) sends the whole body through the serializer
itself, so errors always come from DRF, in its shape, and what is accepted is exactly what
the serializer accepts (tests/api/test_precheck_input.py compares the two).
"""

from __future__ import annotations

import decimal
import re
import sys
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime, tzinfo
from typing import Any

from django.core.validators import (
    MaxLengthValidator,
    MinLengthValidator,
    ProhibitNullCharactersValidator,
)
from rest_framework import fields, serializers
from rest_framework.utils.timezone import valid_datetime
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from medins import interchange
from settlement.api.serializers import (
    PrecheckInputSerializer,
    Text,
    decimal_quantizing,
    fields_timezone,
)


class _Refused(Exception):
    """The fast path does not vouch for this body: the serializer itself must judge it."""


Convert = Callable[[Any], Any]
_ZONE: ContextVar[tzinfo | None] = ContextVar("precheck_input_zone", default=None)
_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})")
_PLAIN_NUMBER = re.compile(r"-?[0-9]{1,20}(\.[0-9]{1,20})?")


def precheck_encounter(data: Any) -> dict[str, Any]:
    """PrecheckInputSerializer(data=data)'s validated_data; raises its ValidationError."""
    if _ENCOUNTER is not None and type(data) is dict:
        try:
            return fast_encounter(data)
        except Exception:  # refused, or odd enough to fail: the serializer judges it
            pass
    incoming = PrecheckInputSerializer(data=data)
    incoming.is_valid(raise_exception=True)
    return incoming.validated_data


def fast_encounter(data: dict[str, Any]) -> dict[str, Any]:
    """The fast path alone: the validated data, or an exception for any refusal."""
    # The zone DRF would look up for every time field, looked up once per body.
    token = _ZONE.set(fields_timezone())
    try:
        return _ENCOUNTER(data)
    finally:
        _ZONE.reset(token)


def _serializer(serializer: serializers.Serializer) -> Convert:
    """One body of this serializer: its writable fields converted, then its validate()."""
    if (
        type(serializer).to_internal_value is not serializers.Serializer.to_internal_value
        or type(serializer).run_validation is not serializers.Serializer.run_validation
        or serializer.validators
    ):
        raise TypeError(f"{type(serializer).__name__} validates in its own way")
    plan = []
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if field.source != name or field.default is not fields.empty or field.allow_null:
            raise TypeError(f"{name}: source, default or null the fast path does not follow")
        if hasattr(serializer, f"validate_{name}"):
            raise TypeError(f"{name} has its own validate_{name}")
        plan.append((name, field.required, _field(field)))
    validate = serializer.validate

    def convert(data: Any) -> dict[str, Any]:
        if type(data) is not dict:
            raise _Refused
        attrs = {}
        for name, required, field_convert in plan:
            if name in data:
                attrs[name] = field_convert(data[name])
            elif required:
                raise _Refused
        return validate(attrs)

    return convert


def _field(field: fields.Field) -> Convert:
    if isinstance(field, serializers.ListSerializer):
        return _many(field)
    if isinstance(field, serializers.Serializer):
        return _serializer(field)
    kind = type(field)
    if (
        kind.run_validation not in (fields.Field.run_validation, fields.CharField.run_validation)
        # DecimalField's own only differs for a nullable field, and none here is.
        or kind.validate_empty_values
        not in (fields.Field.validate_empty_values, fields.DecimalField.validate_empty_values)
        or kind.run_validators is not fields.Field.run_validators
    ):
        return field.run_validation  # validates in its own way: all of it, as DRF would
    convert = field.to_internal_value
    if kind is fields.DateTimeField and list(field.input_formats) == [
        interchange.DATETIME_FORMAT,
        fields.ISO_8601,
    ]:
        convert = _time(field)
    if kind is fields.DecimalField and not field.localize and field.decimal_places is not None:
        convert = _decimal(field)
    checked = _checked(field, convert)
    if kind in (fields.CharField, Text) and {type(check) for check in field.validators} <= {
        MaxLengthValidator,
        MinLengthValidator,
        ProhibitNullCharactersValidator,
        ProhibitSurrogateCharactersValidator,
    }:
        return _plain_text(field, checked)
    return checked


def _plain_text(field: fields.CharField, checked: Convert) -> Convert:
    """A code as hospitals send it (printable ASCII, nothing to trim, within its lengths) is
    what the field would return, as it is: no control, NUL or surrogate character to refuse,
    no space to strip; anything else, the field's own steps."""
    low, high = field.min_length or 1, field.max_length or sys.maxsize

    def convert(value: Any) -> Any:
        if (
            type(value) is str
            and low <= len(value) <= high
            and value.isascii()
            and value.isprintable()
            and value[0] != " "
            and value[-1] != " "
        ):
            return value
        return checked(value)

    return convert


def _many(field: serializers.ListSerializer) -> Convert:
    kind = type(field)
    if (
        kind.run_validation is not serializers.ListSerializer.run_validation
        or kind.to_internal_value is not serializers.ListSerializer.to_internal_value
        or kind.validate is not serializers.ListSerializer.validate
        or field.validators
    ):
        raise TypeError(f"{kind.__name__} validates in its own way")
    child = _serializer(field.child)
    low, high = field.min_length, field.max_length

    def convert(items: Any) -> list[dict[str, Any]]:
        if type(items) is not list or (not items and not field.allow_empty):
            raise _Refused
        if (low is not None and len(items) < low) or (high is not None and len(items) > high):
            raise _Refused
        return [child(item) for item in items]

    return convert


def _checked(field: fields.Field, convert: Convert) -> Convert:
    """Field.run_validation without its generic steps: for a value present and not null,
    the field's conversion, then each of its validators (any refusal: DRF's own errors)."""
    validators = [
        (validator, getattr(validator, "requires_context", False)) for validator in field.validators
    ]
    text = isinstance(field, fields.CharField)

    def run(value: Any) -> Any:
        if value is None:
            raise _Refused
        if text and (value == "" or (field.trim_whitespace and str(value).strip() == "")):
            if not field.allow_blank:
                raise _Refused
            return ""  # CharField returns an allowed blank before any conversion or check
        converted = convert(value)
        for validator, with_field in validators:
            if with_field:
                validator(converted, field)
            else:
                validator(converted)
        return converted

    return run


def _time(field: fields.DateTimeField) -> Convert:
    """The interchange format exactly (what strptime would read the same), else DRF's way."""

    fixed = hasattr(field, "timezone")  # DRF: the field's own zone, else the current one

    def convert(value: Any) -> datetime:
        matched = _TIME.fullmatch(value) if type(value) is str else None
        if matched is None:
            return field.to_internal_value(value)
        try:
            parsed = datetime(*map(int, matched.groups()))  # noqa: DTZ001 (made aware below)
        except ValueError:
            return field.to_internal_value(value)
        zone = field.timezone if fixed else _ZONE.get()
        if zone is None:
            return field.enforce_timezone(parsed)
        aware = parsed.replace(tzinfo=zone)  # timezone.make_aware's way
        return aware if valid_datetime(aware) else field.enforce_timezone(parsed)  # its error

    return convert


def _decimal(field: fields.DecimalField) -> Convert:
    """A plain number as text (what hospitals send): DecimalField's own steps, with its
    quantum and context made once rather than per value; anything else, DRF's way."""
    quantum, context = decimal_quantizing(field)
    places, whole = field.decimal_places, field.max_whole_digits

    def convert(value: Any) -> decimal.Decimal:
        if type(value) is not str or _PLAIN_NUMBER.fullmatch(value) is None:
            return field.to_internal_value(value)
        number = decimal.Decimal(value)
        integer, _, fraction = value.lstrip("-").partition(".")
        # Digits that fit as written (leading zeros counted) fit as validate_precision counts
        # them: only a number that might not is counted there.
        if whole is None or len(integer) > whole or len(fraction) > places:
            number = field.validate_precision(number)
        return number.quantize(quantum, rounding=field.rounding, context=context)

    return convert


def _build() -> Convert | None:
    try:
        return _serializer(PrecheckInputSerializer())
    except TypeError:
        return None  # a serializer the fast path cannot follow: DRF checks every body


_ENCOUNTER = _build()
