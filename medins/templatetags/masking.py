"""Personal data in templates always goes through these filters: {% load masking %}."""

from __future__ import annotations

from django import template

from medins.identity import certno_mask, name_mask

register = template.Library()


@register.filter
def masked_certno(certno: str | None) -> str:
    """37010219700517001X → 370102********001X: birth date and sequence hidden."""
    return certno_mask(certno or "")


@register.filter
def masked_name(name: str | None) -> str:
    """张三丰 → 张**: only the family name shows."""
    return name_mask(name or "")
