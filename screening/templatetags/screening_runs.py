"""Template helpers of the screening pages: {% load screening_runs %}."""

from __future__ import annotations

from django import template

from screening import selectors

register = template.Library()


@register.filter
def may_run_screenings(user: object) -> bool:
    return selectors.may_run_screenings(user=user)


@register.filter
def percent(share: float) -> int:
    """0.456 → 46"""
    return round(float(share or 0) * 100)
