"""Small inline SVG charts drawn on the server: no JavaScript chart library, nothing from a CDN.

:func:`line_chart_svg` draws one series over the years (a district's indicator) as a line with a
dot per year, the lowest and highest value on the vertical axis and the years below. Years with no
value that may be shown leave a gap. Every text is escaped with
:func:`~mapping.render.escape.escape_text`, and the chart carries an ``aria-label`` that reads
the values out, so it is never the only place they are shown.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from mapping.render.escape import escape_text

__all__ = ["line_chart_svg"]


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(float(value))


def line_chart_svg(
    points: Sequence[tuple[int, float | None]],
    *,
    label: str,
    fmt: Callable[[float], str] = lambda v: f"{v:g}",
    width: int = 280,
    height: int = 120,
    colour: str = "#1f5f8b",
    missing: str = "-",
) -> str:
    """An SVG line chart of ``(year, value)`` points; None or NaN values leave a gap.

    Parameters
    ----------
    points
        ``(year, value)`` pairs, ascending by year.
    label
        What the chart shows (read out by screen readers, with every value).
    fmt
        Formats a value for the axis and the spoken description (for example with the
        language's decimal separator).
    width, height
        Size in CSS pixels (the chart scales with its container: ``viewBox``).
    colour
        ``#rrggbb`` of the line.
    missing
        What the description says for a year without a shown value.

    Returns
    -------
    str
        ``<svg ...>...</svg>``, safe to put in a page as is.

    Examples
    --------
    >>> svg = line_chart_svg([(2020, 1.5), (2021, None), (2022, 3.0)], label="<b>x</b>")
    >>> svg.startswith('<svg class="palmap-chart"'), "&lt;b&gt;x&lt;/b&gt;" in svg, "<b>" in svg
    (True, True, False)
    >>> svg.count("<circle")
    2
    """
    left, right, top, bottom = 44.0, 10.0, 10.0, 22.0
    inner_w, inner_h = width - left - right, height - top - bottom
    years = [int(y) for y, _ in points]
    values = [float(v) for _, v in points if _finite(v)]
    spoken = "; ".join(f"{y}: {fmt(float(v)) if _finite(v) else missing}" for y, v in points)
    parts = [
        f'<svg class="palmap-chart" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape_text(f"{label}. {spoken}")}">'
    ]
    if years:
        y_min, y_max = (min(values), max(values)) if values else (0.0, 1.0)
        if y_max == y_min:
            y_min, y_max = y_min - 1, y_max + 1
        x_min, x_max = min(years), max(years)
        span = (x_max - x_min) or 1

        def x_of(year: int) -> float:
            if x_max == x_min:
                return left + inner_w / 2
            return left + (year - x_min) / span * inner_w

        def y_of(value: float) -> float:
            return top + (1 - (value - y_min) / (y_max - y_min)) * inner_h

        axis = "#8a94a0"
        parts.append(
            f'<line x1="{left}" y1="{top + inner_h}" x2="{left + inner_w}" y2="{top + inner_h}" '
            f'stroke="{axis}" stroke-width="1"/>'
        )
        if values:
            for value, anchor in ((y_max, top + 4), (y_min, top + inner_h)):
                parts.append(
                    f'<text x="{left - 4}" y="{anchor:.1f}" text-anchor="end" '
                    f'font-size="10" fill="#4a5561">{escape_text(fmt(value))}</text>'
                )
        labelled: list[float] = []
        for year in years:
            x = x_of(year)
            # Keep year labels apart: the first and last always, others with room around them.
            crowded = any(abs(x - other) < 30 for other in labelled)
            if crowded or (year != years[-1] and abs(x - x_of(years[-1])) < 30):
                continue
            labelled.append(x)
            anchor = "middle"
            if len(years) > 1 and year == years[-1]:
                anchor = "end"
            elif len(years) > 1 and year == years[0]:
                anchor = "start"
            parts.append(
                f'<text x="{x:.1f}" y="{height - 6}" text-anchor="{anchor}" '
                f'font-size="10" fill="#4a5561">{year}</text>'
            )
        segment: list[str] = []
        segments: list[list[str]] = []
        for year, value in points:
            if _finite(value):
                segment.append(f"{x_of(int(year)):.1f},{y_of(float(value)):.1f}")
            elif segment:
                segments.append(segment)
                segment = []
        if segment:
            segments.append(segment)
        for line in segments:
            if len(line) > 1:
                parts.append(
                    f'<polyline fill="none" stroke="{escape_text(colour)}" stroke-width="2" '
                    f'points="{" ".join(line)}"/>'
                )
        for year, value in points:
            if _finite(value):
                parts.append(
                    f'<circle cx="{x_of(int(year)):.1f}" cy="{y_of(float(value)):.1f}" r="3" '
                    f'fill="{escape_text(colour)}"><title>{year}: '
                    f"{escape_text(fmt(float(value)))}</title></circle>"
                )
    parts.append("</svg>")
    return "".join(parts)
