"""ICD-10 codes against the category table (medins.Icd10Category, loaded from medins/data/)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import get_language

from medins.models import Icd10Category


def icd10_category(code: str) -> str:
    """The 3-character category of a code: 'i10.x00 ' → 'I10' (docs/rules-interpretation.md)."""
    return code.strip().upper()[:3]


def known_icd10_categories() -> set[str]:
    """Every category in the table, in one query (about 2,000 short strings)."""
    return set(Icd10Category.objects.values_list("code", flat=True))


def unknown_icd10_codes(codes: Iterable[str]) -> set[str]:
    """The codes (as given) whose category is not in the table; blank codes are not reported.

    Unknown codes are flagged, never rejected: the importer reports them and keeps the rows.
    One query whatever the number of codes, since the whole table is smaller than a batch.
    """
    distinct = {code for code in codes if code and code.strip()}
    if not distinct:
        return set()
    known = known_icd10_categories()
    return {code for code in distinct if icd10_category(code) not in known}


def icd10_names(categories: Iterable[str], *, language: str | None = None) -> dict[str, str]:
    """Category → name in the language (the active one by default; Chinese unless English).

    Keys are the normalised categories asked for that exist in the table; others are left out.
    """
    wanted = {icd10_category(category) for category in categories if category}
    english = (language or get_language() or "zh-hans").lower().startswith("en")
    rows = Icd10Category.objects.filter(code__in=wanted).values_list("code", "name_zh", "name_en")
    return {code: (name_en or name_zh) if english else name_zh for code, name_zh, name_en in rows}
