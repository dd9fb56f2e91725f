"""Small inline SVG charts drawn on the server: no JavaScript chart library, nothing from a CDN.

:func:`line_chart_svg` draws one series over the years (a district's indicator) as a line with a
dot per year, the lowest and highest value on the vertical axis and the years below. Years with no
value that may be shown leave a gap. Every text is escaped with
:func:`~mapping.render.escape.escape_text`, and the chart carries an ``aria-label`` that reads
the values out, so it is never the only place they are shown.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from mapping.render.escape import escape_text

__all__ = ["line_chart_svg"]

#: Margins around the plot (left for the value labels, bottom for the years).
_LEFT, _RIGHT, _TOP, _BOTTOM = 44.0, 10.0, 10.0, 22.0
_AXIS: str = "#8a94a0"
_TEXT: str = "#4a5561"
#: Year labels closer than this (px) to one already drawn, or to the last year, are left out.
_LABEL_GAP: float = 30


def _shown(points: Sequence[tuple[int, float | None]]) -> Iterator[tuple[int, float | None]]:
    """``(year, value)`` with the value as a float, or None when missing or not finite."""
    for year, value in points:
        number = None if value is None else float(value)
        yield year, (number if number is not None and math.isfinite(number) else None)


@dataclass(frozen=True)
class _Frame:
    """The plot area of a chart and the ranges it maps to it."""

    width: int
    height: int
    years: list[int]
    y_min: float
    y_max: float
    has_values: bool

    @classmethod
    def of(cls, points: Sequence[tuple[int, float | None]], *, width: int, height: int) -> _Frame:
        years = [int(year) for year, _ in points]
        values = [value for _, value in _shown(points) if value is not None]
        y_min, y_max = (min(values), max(values)) if values else (0.0, 1.0)
        if y_max == y_min:
            y_min, y_max = y_min - 1, y_max + 1
        return cls(width, height, years, y_min, y_max, bool(values))

    @property
    def inner_w(self) -> float:
        return self.width - _LEFT - _RIGHT

    @property
    def inner_h(self) -> float:
        return self.height - _TOP - _BOTTOM

    def x_of(self, year: int) -> float:
        x_min, x_max = min(self.years), max(self.years)
        if x_max == x_min:
            return _LEFT + self.inner_w / 2
        return _LEFT + (year - x_min) / ((x_max - x_min) or 1) * self.inner_w

    def y_of(self, value: float) -> float:
        return _TOP + (1 - (value - self.y_min) / (self.y_max - self.y_min)) * self.inner_h

    def axis(self) -> str:
        bottom = _TOP + self.inner_h
        return (
            f'<line x1="{_LEFT}" y1="{bottom}" x2="{_LEFT + self.inner_w}" y2="{bottom}" '
            f'stroke="{_AXIS}" stroke-width="1"/>'
        )

    def value_labels(self, fmt: Callable[[float], str]) -> list[str]:
        """The highest and the lowest value, left of the plot (none without values)."""
        if not self.has_values:
            return []
        return [
            f'<text x="{_LEFT - 4}" y="{anchor:.1f}" text-anchor="end" '
            f'font-size="10" fill="{_TEXT}">{escape_text(fmt(value))}</text>'
            for value, anchor in ((self.y_max, _TOP + 4), (self.y_min, _TOP + self.inner_h))
        ]

    def year_labels(self) -> list[str]:
        """The years below the plot: the first and last always, others with room around them."""
        labelled: list[float] = []
        parts = []
        last_x = self.x_of(self.years[-1])
        for year in self.years:
            x = self.x_of(year)
            crowded = any(abs(x - other) < _LABEL_GAP for other in labelled)
            if crowded or (year != self.years[-1] and abs(x - last_x) < _LABEL_GAP):
                continue
            labelled.append(x)
            parts.append(
                f'<text x="{x:.1f}" y="{self.height - 6}" text-anchor="{self._anchor(year)}" '
                f'font-size="10" fill="{_TEXT}">{year}</text>'
            )
        return parts

    def _anchor(self, year: int) -> str:
        if len(self.years) > 1 and year == self.years[-1]:
            return "end"
        if len(self.years) > 1 and year == self.years[0]:
            return "start"
        return "middle"

    def lines(self, points: Sequence[tuple[int, float | None]], colour: str) -> list[str]:
        """A polyline per run of two or more consecutive years with a value."""
        segments: list[list[str]] = [[]]
        for year, value in _shown(points):
            if value is not None:
                segments[-1].append(f"{self.x_of(int(year)):.1f},{self.y_of(value):.1f}")
            elif segments[-1]:
                segments.append([])
        return [
            f'<polyline fill="none" stroke="{escape_text(colour)}" stroke-width="2" '
            f'points="{" ".join(line)}"/>'
            for line in segments
            if len(line) > 1
        ]

    def dots(
        self,
        points: Sequence[tuple[int, float | None]],
        colour: str,
        fmt: Callable[[float], str],
    ) -> list[str]:
        """A dot with a tooltip per year with a value."""
        return [
            f'<circle cx="{self.x_of(int(year)):.1f}" cy="{self.y_of(value):.1f}" r="3" '
            f'fill="{escape_text(colour)}"><title>{year}: '
            f"{escape_text(fmt(value))}</title></circle>"
            for year, value in _shown(points)
            if value is not None
        ]


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
    spoken = "; ".join(f"{y}: {fmt(v) if v is not None else missing}" for y, v in _shown(points))
    parts = [
        f'<svg class="palmap-chart" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape_text(f"{label}. {spoken}")}">'
    ]
    if points:
        frame = _Frame.of(points, width=width, height=height)
        parts.append(frame.axis())
        parts.extend(frame.value_labels(fmt))
        parts.extend(frame.year_labels())
        parts.extend(frame.lines(points, colour))
        parts.extend(frame.dots(points, colour, fmt))
    parts.append("</svg>")
    return "".join(parts)
