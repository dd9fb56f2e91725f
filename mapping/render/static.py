"""Static maps for reports: PNG, SVG and PDF drawn with matplotlib (no browser).

A report map carries what a printed page needs and an interactive one can leave to its tooltips:
a title, the legend with exactly the classes of the interactive map (the same
:class:`~mapping.render.choropleth.MapLegend`), a scale bar, a north arrow, the source and year,
the export date and, for unofficial boundaries, the "schematic boundaries" note. The map is drawn
in EPSG:2180 so that the scale bar is true in metres.

matplotlib is used through its object API (a :class:`~matplotlib.figure.Figure` per call, no
pyplot state), so renders in parallel request threads do not interfere.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final, Literal

import geopandas as gpd

from mapping.crs import METRIC_CRS, ensure_crs
from mapping.errors import ValidationError
from mapping.render.choropleth import MapLegend

if TYPE_CHECKING:  # matplotlib is imported when a map is drawn
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.legend import Legend
    from matplotlib.patches import Patch

StaticFormat = Literal["png", "svg", "pdf"]
FORMATS: Final = ("png", "svg", "pdf")

#: A4 portrait, the size of the programme's yearly report.
A4_MM: Final = (210.0, 297.0)
DEFAULT_DPI: Final = 300
#: Limits on the requested size, so that a URL cannot ask for a gigapixel image.
MAX_MM: Final = 1189.0  # A0's long side
MIN_MM: Final = 50.0
MAX_DPI: Final = 600
MIN_DPI: Final = 50
MAX_PIXELS: Final = 60_000_000

NO_DATA_COLOUR: Final = "#e6e6e6"
EDGE_COLOUR: Final = "#3c4650"
HIGHLIGHT_COLOUR: Final = "#d81b60"


@dataclass(frozen=True)
class StaticLabels:
    """The words a static map prints, in the reader's language (the app passes translations)."""

    source: str = "Source"
    exported: str = "Exported"
    no_data: str = "no data or hidden"
    north: str = "N"


@dataclass(frozen=True)
class PageSize:
    """Paper size in millimetres and resolution in dots per inch, checked against the limits."""

    width_mm: float = A4_MM[0]
    height_mm: float = A4_MM[1]
    dpi: int = DEFAULT_DPI

    def __post_init__(self) -> None:
        for name, value in (("width", self.width_mm), ("height", self.height_mm)):
            if not MIN_MM <= value <= MAX_MM:
                raise ValidationError(
                    f"expected a {name} from {MIN_MM:.0f} to {MAX_MM:.0f} mm, got {value:g}"
                )
        if not MIN_DPI <= self.dpi <= MAX_DPI:
            raise ValidationError(f"expected dpi from {MIN_DPI} to {MAX_DPI}, got {self.dpi}")
        if self.pixels[0] * self.pixels[1] > MAX_PIXELS:
            raise ValidationError(
                f"expected at most {MAX_PIXELS:,} pixels, got {self.pixels[0]} x "
                f"{self.pixels[1]}; lower the dpi or the size"
            )

    @property
    def pixels(self) -> tuple[int, int]:
        """Width and height in pixels of a PNG of this size."""
        return (
            round(self.width_mm / 25.4 * self.dpi),
            round(self.height_mm / 25.4 * self.dpi),
        )


@dataclass(frozen=True)
class StaticMap:
    """What to draw: district colours (code -> colour or None) and the texts around the map."""

    colours: Mapping[str, str | None]
    legend: MapLegend
    title: str
    subtitle: str | None = None
    source: str | None = None
    export_date: str | None = None
    schematic_note: str | None = None
    #: A data attribution printed under the source (the ODbL line of OpenStreetMap data,
    #: :mod:`mapping.render.attribution`), printed in compact maps too.
    attribution: str | None = None
    highlight: Sequence[str] = field(default_factory=tuple)
    labels: StaticLabels = field(default_factory=StaticLabels)
    #: The legend entry of the outlined districts (``highlight``), listed when one is drawn.
    highlight_label: str | None = None
    #: For maps where an uncoloured district is not missing data but "the rest" (target areas
    #: outside the top): drawn plain grey, without hatching, under this legend label.
    rest_label: str | None = None


#: Font sizes in points on an A4 page; other sizes scale them (see :func:`text_scale`).
FONT_POINTS: Final = {
    "title": 15.0,
    "subtitle": 9.5,
    "legend": 8.5,
    "legend_title": 9.5,
    "footer": 7.5,
    "note": 8.0,
    "scale": 7.0,
    "north": 10.0,
}
#: The gids of the texts a static map prints, to find them in :func:`static_figure`'s figure.
TEXT_GIDS: Final = ("title", "subtitle", "footer", "note")
_MIN_SCALE: Final = 0.4
_MAX_SCALE: Final = 4.0


def text_scale(size: PageSize) -> float:
    """How much larger than on A4 the texts are: the page's shorter side over A4's, within limits.

    Examples
    --------
    >>> text_scale(PageSize()), text_scale(PageSize(50, 50)), text_scale(PageSize(841, 1189, 50))
    (1.0, 0.4, 4.0)
    """
    ratio = min(size.width_mm, size.height_mm) / A4_MM[0]
    return round(min(max(ratio, _MIN_SCALE), _MAX_SCALE), 3)


def _font(points: float, **style: Any) -> FontProperties:
    from matplotlib.font_manager import FontProperties

    return FontProperties(size=points, **style)


def text_width(renderer: RendererBase, text: str, font: FontProperties) -> float:
    """The width in pixels of one line of ``text`` as ``renderer`` draws it."""
    width, _height, _descent = renderer.get_text_width_height_descent(text, font, ismath=False)
    return float(width)


def wrap_to_width(text: str, width_px: float, font: FontProperties, renderer: RendererBase) -> str:
    """``text`` with line breaks so that no line is wider than ``width_px`` in ``font``.

    Words move to the next line; a word wider than the whole line is cut. The widths are
    measured by the renderer that draws the text, so the result holds for any font and size.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if line and text_width(renderer, candidate, font) > width_px:
                lines.append(line)
                candidate = word
            while len(candidate) > 1 and text_width(renderer, candidate, font) > width_px:
                cut = len(candidate) - 1
                while cut > 1 and text_width(renderer, candidate[:cut], font) > width_px:
                    cut -= 1
                lines.append(candidate[:cut])
                candidate = candidate[cut:]
            line = candidate
        lines.append(line)
    return "\n".join(lines)


def _nice_length(span_m: float) -> float:
    """A round scale-bar length (1, 2 or 5 times a power of ten) near a quarter of ``span_m``."""
    target = max(span_m / 4, 1.0)
    power = 10 ** math.floor(math.log10(target))
    for step in (5, 2, 1):
        if step * power <= target:
            return step * power
    return power


def _format_length(metres: float) -> str:
    return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"


def _draw_scale_and_north(ax: Axes, labels: StaticLabels, scale: float) -> None:
    from matplotlib.patches import FancyArrow, Rectangle

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    width, height = x1 - x0, y1 - y0
    length = _nice_length(width)
    left, bottom = x0 + width * 0.04, y0 + height * 0.04
    bar = height * 0.008
    line = 0.8 * scale
    ax.add_patch(
        Rectangle((left, bottom), length / 2, bar, facecolor="#222", edgecolor="#222", lw=line)
    )
    ax.add_patch(
        Rectangle(
            (left + length / 2, bottom),
            length / 2,
            bar,
            facecolor="white",
            edgecolor="#222",
            lw=line,
        )
    )
    points = FONT_POINTS["scale"] * scale
    ax.text(left, bottom + bar * 2, "0", ha="center", va="bottom", fontsize=points)
    ax.text(
        left + length,
        bottom + bar * 2,
        _format_length(length),
        ha="center",
        va="bottom",
        fontsize=points,
    )
    # EPSG:2180's grid north is within a degree or so of true north across Poland.
    tip_x, tip_y = x1 - width * 0.06, y1 - height * 0.05
    arrow_len = height * 0.06
    ax.add_patch(
        FancyArrow(
            tip_x,
            tip_y - arrow_len,
            0,
            arrow_len * 0.75,
            width=width * 0.008,
            head_width=width * 0.03,
            head_length=arrow_len * 0.3,
            color="#222",
        )
    )
    ax.text(
        tip_x,
        tip_y - arrow_len * 1.12,
        labels.north,
        ha="center",
        va="top",
        fontsize=FONT_POINTS["north"] * scale,
        fontweight="bold",
    )


def draw_map(
    ax: Axes,
    districts: gpd.GeoDataFrame,
    spec: StaticMap,
    *,
    resources: gpd.GeoDataFrame | None = None,
    resource_colour: str = "#1d2733",
    scale: float = 1.0,
) -> None:
    """Draw the districts (and resources) of ``spec`` into ``ax``, with a scale bar and north.

    ``districts`` must already be in EPSG:2180 (:data:`mapping.crs.METRIC_CRS`); ``scale``
    multiplies line widths, marker and font sizes (see :func:`text_scale`).
    """
    ax.set_axis_off()
    ax.set_aspect("equal")
    empty_hatch = "" if spec.rest_label else "///"
    highlighted = {str(c) for c in spec.highlight}
    for geometry, code in zip(districts.geometry, districts["code"], strict=True):
        colour = spec.colours.get(str(code))
        gpd.GeoSeries([geometry]).plot(
            ax=ax,
            color=colour or NO_DATA_COLOUR,
            edgecolor=HIGHLIGHT_COLOUR if str(code) in highlighted else EDGE_COLOUR,
            linewidth=(2.2 if str(code) in highlighted else 0.6) * scale,
            hatch="" if colour else empty_hatch,
        )
    if resources is not None and len(resources):
        points = ensure_crs(resources, name="resources")
        points = points[points.geometry.notna()].to_crs(METRIC_CRS)
        if len(points):
            points.plot(
                ax=ax,
                color=resource_colour,
                markersize=8 * scale**2,
                edgecolor="white",
                linewidth=0.4 * scale,
            )
    minx, miny, maxx, maxy = districts.total_bounds
    pad = max(maxx - minx, maxy - miny) * 0.04
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)
    _draw_scale_and_north(ax, spec.labels, scale)


def legend_handles(districts: gpd.GeoDataFrame, spec: StaticMap) -> list[Patch]:
    """The legend's swatches: the classes, then the grey of "no data" (or of ``rest_label``)
    only when at least one district of ``districts`` is drawn in it."""
    from matplotlib.patches import Patch

    handles = [
        Patch(facecolor=colour, edgecolor=EDGE_COLOUR, label=label)
        for colour, label in spec.legend.entries
    ]
    if any(not spec.colours.get(str(code)) for code in districts["code"]):
        handles.append(
            Patch(
                facecolor=NO_DATA_COLOUR,
                edgecolor=EDGE_COLOUR,
                hatch="" if spec.rest_label else "///",
                label=spec.rest_label or spec.labels.no_data,
            )
        )
    if spec.highlight_label and set(map(str, spec.highlight)) & set(map(str, districts["code"])):
        handles.append(
            Patch(
                facecolor="#ffffff",
                edgecolor=HIGHLIGHT_COLOUR,
                linewidth=2.2,
                label=spec.highlight_label,
            )
        )
    return handles


def add_legend(
    figure: Figure,
    districts: gpd.GeoDataFrame,
    spec: StaticMap,
    *,
    width_px: float,
    scale: float = 1.0,
    columns: int = 1,
) -> Legend:
    """Add the map's legend to ``figure``, its title and labels wrapped to ``width_px``.

    The caller places it (``legend.set_bbox_to_anchor``) once it knows its measured size.
    """
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    label_points, title_points = FONT_POINTS["legend"] * scale, FONT_POINTS["legend_title"] * scale
    # A swatch and its padding take about four font sizes of a column's width.
    column_px = width_px / columns - 4 * label_points * figure.dpi / 72
    handles = legend_handles(districts, spec)
    for handle in handles:
        label = str(handle.get_label())
        handle.set_label(wrap_to_width(label, column_px, _font(label_points), renderer))
    title = spec.legend.title + (f" ({spec.legend.unit})" if spec.legend.unit else "")
    return figure.legend(
        handles=handles,
        title=wrap_to_width(title, width_px * 0.97, _font(title_points), renderer),
        loc="upper left",
        bbox_to_anchor=(0, 1),
        borderaxespad=0,
        borderpad=0,
        ncols=columns,
        fontsize=label_points,
        title_fontsize=title_points,
        frameon=False,
        alignment="left",
    )


def _add_text(
    figure: Figure, x_in: float, y_in: float, text: str, width_in: float, gid: str, **style: Any
) -> Artist:
    """A wrapped text at ``(x_in, y_in)`` inches from the figure's lower left corner."""
    points = style.pop("fontsize")
    font_style = {k: style[k] for k in ("weight", "style") if k in style}
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    wrapped = wrap_to_width(text, width_in * figure.dpi, _font(points, **font_style), renderer)
    width, height = figure.get_size_inches()
    return figure.text(
        x_in / width,
        y_in / height,
        wrapped,
        fontsize=points,
        gid=gid,
        parse_math=False,
        **style,
    )


def _height_in(artist: Artist, figure: Figure) -> float:
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    return float(artist.get_window_extent(renderer).height) / figure.dpi


def static_figure(
    districts: gpd.GeoDataFrame,
    spec: StaticMap,
    *,
    resources: gpd.GeoDataFrame | None = None,
    resource_colour: str = "#1d2733",
    size: PageSize = PageSize(),
    compact: bool = False,
    text_size: float | None = None,
) -> Figure:
    """The figure :func:`render_static` saves, its texts laid out for ``size``.

    Texts are measured by matplotlib's renderer and wrapped to the page's width, top to bottom:
    title, subtitle, the map, the legend, the source and export lines, the schematic note (on a
    landscape page the legend stands right of the map). The texts carry the gids of
    :data:`TEXT_GIDS`; the map is ``figure.axes[0]``, the legend ``figure.legends[0]``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    districts = ensure_crs(districts, name="districts").to_crs(METRIC_CRS)
    # matplotlib truncates inches x dpi to whole pixels; a quarter pixel more gives exactly
    # the rounded size (A4 at 300 dpi: 2480 x 3508, not 2480 x 3507).
    width = (size.pixels[0] + 0.25) / size.dpi
    height = (size.pixels[1] + 0.25) / size.dpi
    figure = Figure(figsize=(width, height), dpi=size.dpi)
    FigureCanvasAgg(figure)  # the renderer that measures the texts
    figure.patch.set_facecolor("white")
    scale = text_scale(size) if text_size is None else text_size
    margin = 0.045 * min(width, height)
    gap = 0.4 * margin
    inner = width - 2 * margin
    top, bottom = height - margin, margin
    if not compact:
        top = _header(figure, spec, margin, top, inner, scale) - gap
        bottom = _footer(figure, spec, margin, bottom, inner, scale) + gap
    elif spec.attribution:  # a report's figure: the data's licence still travels with it
        only = replace(spec, source=None, export_date=None, schematic_note=None)
        bottom = _footer(figure, only, margin, bottom, inner, scale) + gap
    side = width > 1.25 * height
    legend_width = inner * 0.34 if side else inner
    columns = 2 if len(spec.legend.entries) > 6 and not side else 1
    legend = add_legend(
        figure, districts, spec, width_px=legend_width * size.dpi, scale=scale, columns=columns
    )
    legend_height = _height_in(legend, figure)
    if side:
        legend.set_bbox_to_anchor((1 - (margin + legend_width) / width, top / height))
        rect = (margin, bottom, inner - legend_width - gap, top - bottom)
    else:
        legend.set_bbox_to_anchor((margin / width, (bottom + legend_height) / height))
        rect = (margin, bottom + legend_height + gap, inner, top - bottom - legend_height - gap)
    ax = figure.add_axes(
        (rect[0] / width, rect[1] / height, rect[2] / width, max(rect[3], 0.01) / height)
    )
    draw_map(ax, districts, spec, resources=resources, resource_colour=resource_colour, scale=scale)
    return figure


def _header(
    figure: Figure, spec: StaticMap, left: float, top: float, width: float, scale: float
) -> float:
    """Title and subtitle from ``top`` down (inches); returns where they end."""
    title = _add_text(
        figure,
        left,
        top,
        spec.title,
        width,
        "title",
        fontsize=FONT_POINTS["title"] * scale,
        weight="bold",
        va="top",
    )
    top -= _height_in(title, figure)
    if spec.subtitle:
        top -= 0.35 * FONT_POINTS["subtitle"] * scale / 72
        subtitle = _add_text(
            figure,
            left,
            top,
            spec.subtitle,
            width,
            "subtitle",
            fontsize=FONT_POINTS["subtitle"] * scale,
            va="top",
            color="#333",
        )
        top -= _height_in(subtitle, figure)
    return top


def _footer(
    figure: Figure, spec: StaticMap, left: float, bottom: float, width: float, scale: float
) -> float:
    """The schematic note, and the source and export lines above it, from ``bottom`` up."""
    if spec.schematic_note:
        note = _add_text(
            figure,
            left,
            bottom,
            spec.schematic_note,
            width,
            "note",
            fontsize=FONT_POINTS["note"] * scale,
            style="italic",
            va="bottom",
            color="#7a3b00",
        )
        bottom += _height_in(note, figure) + 0.3 * FONT_POINTS["note"] * scale / 72
    lines = []
    if spec.source:
        lines.append(f"{spec.labels.source}: {spec.source}")
    if spec.attribution:
        lines.append(spec.attribution)
    if spec.export_date:
        lines.append(f"{spec.labels.exported}: {spec.export_date}")
    if lines:
        footer = _add_text(
            figure,
            left,
            bottom,
            "\n".join(lines),
            width,
            "footer",
            fontsize=FONT_POINTS["footer"] * scale,
            va="bottom",
            color="#333",
        )
        bottom += _height_in(footer, figure)
    return bottom


def render_static(
    districts: gpd.GeoDataFrame,
    spec: StaticMap,
    *,
    resources: gpd.GeoDataFrame | None = None,
    resource_colour: str = "#1d2733",
    size: PageSize = PageSize(),
    fmt: StaticFormat = "png",
    compact: bool = False,
    text_size: float | None = None,
) -> bytes:
    """Draw a choropleth of ``districts`` for a printed report and return the file's bytes.

    Parameters
    ----------
    districts
        ``code`` and polygon ``geometry``.
    spec
        The colours per district code and the texts (title, legend, source, date, note).
    resources
        Points drawn on top (optional).
    size
        Paper size and dpi (A4 portrait at 300 dpi by default); the texts wrap to its width and
        their sizes follow its shorter side (:func:`text_scale`).
    fmt
        ``png``, ``svg`` or ``pdf`` (one page).
    compact
        The map and its legend only (no title, source or date), for a page that prints those
        itself, such as the target-area sheet.
    text_size
        The texts' size relative to an A4 page (1.0); by default :func:`text_scale` of ``size``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> d = gpd.GeoDataFrame({"code": ["a", "b"]},
    ...                      geometry=[box(16.2, 50.7, 16.3, 50.8), box(16.3, 50.7, 16.4, 50.8)],
    ...                      crs=4326)
    >>> spec = StaticMap({"a": "#440154", "b": None}, MapLegend("Index", [("#440154", "0 - 1")]),
    ...                  title="Needs index 2021")
    >>> render_static(d, spec, size=PageSize(100, 80, 100))[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    # Imported here: matplotlib costs every `palmap` command half a second at start-up.
    import matplotlib

    if fmt not in FORMATS:
        raise ValidationError(f"expected a format among {', '.join(FORMATS)}, got {fmt!r}")
    figure = static_figure(
        districts,
        spec,
        resources=resources,
        resource_colour=resource_colour,
        size=size,
        compact=compact,
        text_size=text_size,
    )
    buffer = io.BytesIO()
    metadata = {"Title": spec.title} if fmt in ("pdf", "svg") else {}
    # Text stays text (searchable, editable in a report) rather than glyph outlines.
    with matplotlib.rc_context({"svg.fonttype": "none", "pdf.fonttype": 42}):
        figure.savefig(buffer, format=fmt, dpi=size.dpi, metadata=metadata or None)
    return buffer.getvalue()
