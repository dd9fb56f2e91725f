"""The query of an embed (:class:`EmbedOptions`) and of a static export (:class:`ExportQuery`),
parsed like every page's query (:mod:`mapping.pages.query`): each value checked, a setting out of
range a :class:`~mapping.pages.errors.QueryError` naming the values that work."""

from __future__ import annotations

from dataclasses import dataclass

from mapping.analysis import AnalysisData
from mapping.errors import ValidationError
from mapping.pages.errors import QueryError
from mapping.pages.query import TILES, Args, choice, finite_number, raw_arg
from mapping.pages.text import Translator
from mapping.render.static import MAX_DPI, MAX_MM, MIN_DPI, MIN_MM, PageSize

MIN_ZOOM, MAX_ZOOM = 1, 18


@dataclass(frozen=True)
class EmbedOptions:
    """The options of an embed (its page's query comes on top)."""

    legend: bool
    title: bool
    layers: tuple[str, ...] | None
    zoom: float | None
    centre: tuple[float, float] | None
    tiles: str

    @property
    def fixed_view(self) -> bool:
        return self.zoom is not None or self.centre is not None


#: Query options of the embeds (not passed on to the full page's link).
EMBED_OPTIONS: tuple[str, ...] = ("legend", "title", "layers", "zoom", "centre", "tiles")


def _embed_layers(raw: str | None, data: AnalysisData, tr: Translator) -> tuple[str, ...] | None:
    if raw is None:
        return None
    known = [str(code) for code in data.categories["code"]]
    asked = [part.strip() for part in raw.split(",") if part.strip()]
    if not asked or any(code not in known for code in asked):
        raise QueryError(
            tr(
                "%(what)s: expected resource category codes separated by commas, among "
                "%(allowed)s; got %(value)s.",
                what="layers",
                allowed=", ".join(known),
                value=raw,
            ),
            field="layers",
            allowed=known,
        )
    return tuple(dict.fromkeys(asked))


def _centre(raw: str | None, tr: Translator) -> tuple[float, float] | None:
    if raw is None:
        return None
    parts = raw.split(",")
    try:
        if len(parts) != 2:
            raise QueryError("", field="centre")
        lat = finite_number(parts[0], what="centre", low=-90, high=90, tr=tr)
        lon = finite_number(parts[1], what="centre", low=-180, high=180, tr=tr)
    except QueryError:
        raise QueryError(
            tr(
                "%(what)s: expected latitude,longitude in degrees (latitude -90 to 90, "
                "longitude -180 to 180) such as %(example)s, got %(value)s.",
                what="centre",
                example="50.77,16.28",
                value=raw,
            ),
            field="centre",
        ) from None
    return (lat, lon)


def _flag(args: Args, name: str, tr: Translator) -> bool:
    """A 0/1 switch of the embed, on by default."""
    return choice(raw_arg(args, name), ("0", "1"), default="1", what=name, tr=tr) == "1"


def parse_embed_options(
    args: Args, data: AnalysisData, tr: Translator, *, default_tiles: str
) -> EmbedOptions:
    """``legend``, ``title`` (0 or 1), ``layers``, ``zoom``, ``centre`` and ``tiles``."""
    raw_zoom = raw_arg(args, "zoom")
    return EmbedOptions(
        legend=_flag(args, "legend", tr),
        title=_flag(args, "title", tr),
        layers=_embed_layers(raw_arg(args, "layers"), data, tr),
        zoom=None
        if raw_zoom is None
        else finite_number(raw_zoom, what="zoom", low=MIN_ZOOM, high=MAX_ZOOM, tr=tr),
        centre=_centre(raw_arg(args, "centre"), tr),
        tiles=choice(raw_arg(args, "tiles"), TILES, default=default_tiles, what="tiles", tr=tr),
    )


@dataclass(frozen=True)
class ExportQuery:
    """A map file's paper size and dpi, and the base tiles of a standalone HTML map."""

    size: PageSize
    tiles: str = "none"


def parse_export_query(args: Args, tr: Translator) -> ExportQuery:
    """``width`` and ``height`` in mm, ``dpi`` (A4 at 300 dpi by default), ``tiles=osm``."""
    numbers: dict[str, float] = {}
    for name, default, low, high in (
        ("width", 210.0, MIN_MM, MAX_MM),
        ("height", 297.0, MIN_MM, MAX_MM),
        ("dpi", 300.0, MIN_DPI, MAX_DPI),
    ):
        raw = raw_arg(args, name)
        numbers[name] = (
            default if raw is None else finite_number(raw, what=name, low=low, high=high, tr=tr)
        )
    try:
        size = PageSize(
            width_mm=numbers["width"], height_mm=numbers["height"], dpi=int(numbers["dpi"])
        )
    except ValidationError as exc:
        raise QueryError(str(exc), field="dpi") from None
    # Offline by default: a file opened without a network draws everything but base tiles.
    return ExportQuery(size=size, tiles="osm" if args.get("tiles") == "osm" else "none")
