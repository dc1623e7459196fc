"""Template helpers of the audit pages: {% load audit %}."""

from __future__ import annotations

from django import template

from screening.audit import roles

register = template.Library()


@register.filter
def is_audit_user(user: object) -> bool:
    return roles.is_audit_user(user)


@register.filter
def yuan(value: object) -> str:
    """1234.5 → 1,234.50"""
    try:
        return f"{float(value):,.2f}"
    except (TypeError, ValueError):
        return "-"


@register.filter
def get_item(mapping: dict, key: str) -> object:
    return mapping.get(key, key)


@register.filter
def who(user: object) -> str:
    """A user's full name, else the login name; "—" for nobody."""
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


@register.filter
def cell(value: object) -> object:
    """A table cell: money (Decimal) as 1,234.50, anything else as it is."""
    from decimal import Decimal

    return f"{value:,.2f}" if isinstance(value, Decimal) else value


@register.filter
def medical_type(code: str) -> str:
    """ "21" → 普通住院 (the national med_type in words); unknown codes as they are."""
    from settlement.models import Settlement

    try:
        return str(Settlement.MedicalType(code).label)
    except ValueError:
        return code
