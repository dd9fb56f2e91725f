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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal

import geopandas as gpd

from mapping.crs import METRIC_CRS, ensure_crs
from mapping.errors import ValidationError
from mapping.render.choropleth import MapLegend

if TYPE_CHECKING:  # matplotlib is imported when a map is drawn
    from matplotlib.axes import Axes

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
    highlight: Sequence[str] = field(default_factory=tuple)
    labels: StaticLabels = field(default_factory=StaticLabels)
    #: For maps where an uncoloured district is not missing data but "the rest" (target areas
    #: outside the top): drawn plain grey, without hatching, under this legend label.
    rest_label: str | None = None


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


def _draw_scale_and_north(ax: Axes, labels: StaticLabels) -> None:
    from matplotlib.patches import FancyArrow, Rectangle

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    width, height = x1 - x0, y1 - y0
    length = _nice_length(width)
    left, bottom = x0 + width * 0.04, y0 + height * 0.04
    bar = height * 0.008
    ax.add_patch(Rectangle((left, bottom), length / 2, bar, facecolor="#222", edgecolor="#222"))
    ax.add_patch(
        Rectangle((left + length / 2, bottom), length / 2, bar, facecolor="white", edgecolor="#222")
    )
    ax.text(left, bottom + bar * 2, "0", ha="center", va="bottom", fontsize=7)
    ax.text(
        left + length,
        bottom + bar * 2,
        _format_length(length),
        ha="center",
        va="bottom",
        fontsize=7,
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
        fontsize=10,
        fontweight="bold",
    )


def render_static(
    districts: gpd.GeoDataFrame,
    spec: StaticMap,
    *,
    resources: gpd.GeoDataFrame | None = None,
    resource_colour: str = "#1d2733",
    size: PageSize = PageSize(),
    fmt: StaticFormat = "png",
    compact: bool = False,
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
        Paper size and dpi (A4 portrait at 300 dpi by default).
    fmt
        ``png``, ``svg`` or ``pdf`` (one page).
    compact
        The map and its legend only (no title, source or date), for a page that prints those
        itself, such as the target-area sheet.

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
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    if fmt not in FORMATS:
        raise ValidationError(f"expected a format among {', '.join(FORMATS)}, got {fmt!r}")
    districts = ensure_crs(districts, name="districts").to_crs(METRIC_CRS)
    # matplotlib truncates inches x dpi to whole pixels; a quarter pixel more gives exactly
    # the rounded size (A4 at 300 dpi: 2480 x 3508, not 2480 x 3507).
    width_in = (size.pixels[0] + 0.25) / size.dpi
    height_in = (size.pixels[1] + 0.25) / size.dpi
    figure = Figure(figsize=(width_in, height_in), dpi=size.dpi)
    figure.patch.set_facecolor("white")
    # Layout in figure fractions: title band, map, legend band, footer.
    if compact:
        ax = figure.add_axes((0.02, 0.30, 0.96, 0.68))
    else:
        figure.text(0.06, 0.965, spec.title, fontsize=15, fontweight="bold", va="top")
        if spec.subtitle:
            figure.text(0.06, 0.935, spec.subtitle, fontsize=9.5, va="top", color="#333")
        ax = figure.add_axes((0.04, 0.27, 0.92, 0.64))
    ax.set_axis_off()
    ax.set_aspect("equal")
    colours = [spec.colours.get(str(code)) or NO_DATA_COLOUR for code in districts["code"]]
    empty_hatch = "" if spec.rest_label else "///"
    hatches = ["" if spec.colours.get(str(code)) else empty_hatch for code in districts["code"]]
    highlighted = {str(c) for c in spec.highlight}
    for geometry, colour, hatch, code in zip(
        districts.geometry, colours, hatches, districts["code"], strict=True
    ):
        gpd.GeoSeries([geometry]).plot(
            ax=ax,
            color=colour,
            edgecolor=HIGHLIGHT_COLOUR if str(code) in highlighted else EDGE_COLOUR,
            linewidth=2.2 if str(code) in highlighted else 0.6,
            hatch=hatch,
        )
    if resources is not None and len(resources):
        points = ensure_crs(resources, name="resources")
        points = points[points.geometry.notna()].to_crs(METRIC_CRS)
        if len(points):
            points.plot(
                ax=ax, color=resource_colour, markersize=8, edgecolor="white", linewidth=0.4
            )
    minx, miny, maxx, maxy = districts.total_bounds
    pad = max(maxx - minx, maxy - miny) * 0.04
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)
    _draw_scale_and_north(ax, spec.labels)

    handles = [
        Patch(facecolor=colour, edgecolor=EDGE_COLOUR, label=label)
        for colour, label in spec.legend.entries
    ]
    handles.append(
        Patch(
            facecolor=NO_DATA_COLOUR,
            edgecolor=EDGE_COLOUR,
            hatch=empty_hatch,
            label=spec.rest_label or spec.labels.no_data,
        )
    )
    title = spec.legend.title + (f" ({spec.legend.unit})" if spec.legend.unit else "")
    figure.legend(
        handles=handles,
        title=title,
        loc="upper left",
        bbox_to_anchor=(0.06, 0.255),
        ncols=2 if len(handles) > 7 else 1,
        fontsize=8.5,
        title_fontsize=9.5,
        frameon=False,
        alignment="left",
    )
    footer = []
    if spec.source and not compact:
        footer.append(f"{spec.labels.source}: {spec.source}")
    if spec.export_date and not compact:
        footer.append(f"{spec.labels.exported}: {spec.export_date}")
    if footer:
        figure.text(
            0.06, 0.045, "\n".join(footer), fontsize=7.5, va="bottom", color="#333", wrap=True
        )
    if spec.schematic_note and not compact:
        figure.text(
            0.94,
            0.045,
            spec.schematic_note,
            fontsize=8,
            va="bottom",
            ha="right",
            color="#7a3b00",
            style="italic",
        )
    buffer = io.BytesIO()
    metadata = {"Title": spec.title} if fmt in ("pdf", "svg") else {}
    # Text stays text (searchable, editable in a report) rather than glyph outlines.
    with matplotlib.rc_context({"svg.fonttype": "none", "pdf.fonttype": 42}):
        figure.savefig(buffer, format=fmt, dpi=size.dpi, metadata=metadata or None)
    return buffer.getvalue()
