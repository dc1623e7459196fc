"""Charts as inline SVG drawn on the server: nothing to fetch, readable without scripts."""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

BAR_HEIGHT = 22
LABEL_WIDTH = 220
WIDTH = 640


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float | Decimal) else 0.0


def bars(rows: list[tuple], *, value_column: int = 1, title: str = "") -> SafeString:
    """Horizontal bars, one per row: label (column 0), length and figure from value_column."""
    values = [_number(row[value_column]) for row in rows]
    top = max(values, default=0) or 1
    span = WIDTH - LABEL_WIDTH - 90
    items = format_html_join(
        "",
        '<g transform="translate(0,{})"><text x="{}" y="15" text-anchor="end">{}</text>'
        '<rect x="{}" y="3" width="{}" height="16" class="bar"></rect>'
        '<text x="{}" y="15" class="figure">{}</text></g>',
        (
            (
                i * BAR_HEIGHT,
                LABEL_WIDTH - 6,
                str(row[0])[:24],
                LABEL_WIDTH,
                round(span * value / top, 1),
                LABEL_WIDTH + round(span * value / top, 1) + 4,
                f"{value:,.0f}",
            )
            for i, (row, value) in enumerate(zip(rows, values, strict=True))
        ),
    )
    height = max(len(rows), 1) * BAR_HEIGHT + 4
    return format_html(
        '<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {} {}" width="100%">{}</svg>',
        title,
        WIDTH,
        height,
        items,
    )


def columns(rows: list[tuple], *, value_column: int = 1, title: str = "") -> SafeString:
    """Vertical columns over time: label (column 0) under each column."""
    values = [_number(row[value_column]) for row in rows]
    top = max(values, default=0) or 1
    plot, step = 180, min((WIDTH - 40) / max(len(rows), 1), 80)  # one month: no wall of green
    items = format_html_join(
        "",
        '<g transform="translate({},0)"><rect x="4" y="{}" width="{}" height="{}" class="bar">'
        '</rect><text x="{}" y="{}" text-anchor="middle">{}</text>'
        '<text x="{}" y="{}" text-anchor="middle" class="figure">{}</text></g>',
        (
            (
                round(20 + i * step, 1),
                round(20 + plot - plot * v / top, 1),
                round(max(step - 8, 2), 1),
                round(plot * v / top, 1),
                round(step / 2, 1),
                plot + 36,
                str(row[0]),
                round(step / 2, 1),
                round(16 + plot - plot * v / top, 1),
                f"{v:,.0f}",
            )
            for i, (row, v) in enumerate(zip(rows, values, strict=True))
        ),
    )
    return format_html(
        '<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {} {}" width="100%">{}</svg>',
        title,
        WIDTH,
        plot + 44,
        items,
    )
