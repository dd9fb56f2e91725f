"""The query of an OGC API request, checked: every refusal names the parameter and the fix.

:func:`parse_items_query` reads ``limit``, ``offset``, ``bbox``, ``bbox-crs``, ``crs``,
``datetime``, ``f`` and a filter per queryable property (``?category=swietlica``); any other
parameter is refused (OGC API Features, "/req/core/query-param-unknown"), with the ones that work.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
import shapely

from mapping.ogc.collections import Collection, Property
from mapping.ogc.crs import CRS84, EPSG_4326, SUPPORTED_CRS, bbox_to_crs84, box_in_crs84, label

__all__ = [
    "DEFAULT_LIMIT",
    "FORMATS",
    "MAX_LIMIT",
    "ItemsQuery",
    "OgcError",
    "check_parameters",
    "parse_crs",
    "parse_format",
    "parse_items_query",
]

#: Features per page when ``limit`` is not given, and the most one page holds.
DEFAULT_LIMIT = 10
MAX_LIMIT = 10_000
#: The largest offset (far beyond any collection: a bigger one is a typo).
MAX_OFFSET = 10_000_000
#: Output formats of ``f``.
FORMATS = ("json", "html")
#: Parameters every route takes (``lang``: the language of an HTML answer).
COMMON = ("f", "lang")


class OgcError(Exception):
    """A request the API refuses: HTTP ``status``, OGC exception ``code``, the words, and the
    parameter at fault (with the values that work, when they are few)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        parameter: str | None = None,
        allowed: Iterable[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.parameter = parameter
        self.allowed = None if allowed is None else list(allowed)


def _bad(parameter: str, message: str, allowed: Iterable[str] | None = None) -> OgcError:
    return OgcError(400, "InvalidParameterValue", message, parameter=parameter, allowed=allowed)


def check_parameters(args: Mapping[str, str], known: Iterable[str]) -> None:
    """Refuse a parameter the route does not define, naming the ones it does.

    >>> check_parameters({"f": "json"}, ["f"])
    >>> check_parameters({"year": "2013"}, ["f", "limit"])
    Traceback (most recent call last):
    ...
    mapping.ogc.query.OgcError: year: unknown parameter; this request takes f, limit
    """
    names = list(dict.fromkeys(known))
    for name in args:
        if name not in names:
            raise _bad(name, f"{name}: unknown parameter; this request takes {', '.join(names)}")


def parse_format(args: Mapping[str, str]) -> str | None:
    """``f`` (``json`` or ``html``), or None when not given (the Accept header decides)."""
    raw = args.get("f")
    if raw is None or raw == "":
        return None
    if raw not in FORMATS:
        raise _bad("f", f"f: expected json or html, got {raw[:40]!r}", FORMATS)
    return raw


def parse_crs(args: Mapping[str, str], name: str = "crs") -> str:
    """A supported CRS URI (CRS84 when not given)."""
    raw = args.get(name)
    if raw is None or raw == "":
        return CRS84
    if raw not in SUPPORTED_CRS:
        raise _bad(
            name,
            f"{name}: expected one of {', '.join(SUPPORTED_CRS)}, got {raw[:120]!r}",
            SUPPORTED_CRS,
        )
    return raw


def _whole(args: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"\d{1,9}", raw.strip()) or not low <= int(raw) <= high:
        raise _bad(name, f"{name}: expected a whole number from {low} to {high}, got {raw[:40]!r}")
    return int(raw)


def _bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    if raw is None or raw == "":
        return None
    parts = raw.split(",")
    fix = "give four numbers: lower corner then upper corner, such as 16.2,50.7,16.4,50.8"
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise _bad("bbox", f"bbox: expected numbers, got {raw[:80]!r}; {fix}") from None
    if len(numbers) == 6:  # with heights: the heights are left out
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        raise _bad("bbox", f"bbox: expected four finite numbers, got {raw[:80]!r}; {fix}")
    if numbers[0] > numbers[2] or numbers[1] > numbers[3]:
        raise _bad("bbox", f"bbox: the lower corner is above the upper one in {raw[:80]!r}; {fix}")
    return (numbers[0], numbers[1], numbers[2], numbers[3])


def _instant(text: str) -> np.datetime64 | None:
    if text in ("", ".."):
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
        else:
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is None:
                raise ValueError(text)
            day = moment.astimezone(UTC).date()
    except ValueError:
        raise _bad(
            "datetime",
            f"datetime: expected a date, an RFC 3339 date-time or an interval, got {text[:60]!r}; "
            "write 2013-06-01, 2013-06-01T00:00:00Z, 2012-01-01/2013-12-31 or ../2013-12-31",
        ) from None
    return np.datetime64(day.isoformat(), "D")


def _datetime(raw: str | None) -> tuple[np.datetime64 | None, np.datetime64 | None] | None:
    if raw is None or raw == "":
        return None
    if "/" in raw:
        first, _, second = raw.partition("/")
        start, end = _instant(first), _instant(second)
        if start is not None and end is not None and start > end:
            raise _bad("datetime", f"datetime: the interval {raw[:60]!r} ends before it starts")
        return start, end
    moment = _instant(raw)
    if moment is None:
        raise _bad("datetime", "datetime: expected a date or an interval, got '..'")
    return moment, moment


def _filter_value(prop: Property, raw: str) -> object:
    if prop.type == "string":
        return raw
    if prop.type == "boolean":
        if raw not in ("true", "false"):
            raise _bad(prop.name, f"{prop.name}: expected true or false, got {raw[:40]!r}")
        return raw == "true"
    try:
        value: float = int(raw) if prop.type == "integer" else float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        kind = "a whole number" if prop.type == "integer" else "a finite number"
        raise _bad(prop.name, f"{prop.name}: expected {kind}, got {raw[:40]!r}")
    return value


def _in_crs84(
    bbox: tuple[float, float, float, float] | None, uri: str
) -> tuple[tuple[float, float, float, float] | None, shapely.Polygon | None]:
    """The box as CRS84 bounds, and for a box in metres the CRS84 polygon of its area."""
    if bbox is None:
        return None, None
    area = None
    try:
        found = bbox_to_crs84(bbox, uri)
        if uri not in (CRS84, EPSG_4326):
            area = box_in_crs84(bbox, uri)
            if not area.is_valid:
                found = (math.nan,) * 4
    except Exception:  # noqa: BLE001  # pyproj or GEOS refuse points far outside the area
        found = (math.nan,) * 4
    if not all(math.isfinite(v) for v in found):
        raise _bad(
            "bbox",
            f"bbox: {bbox} lies outside the area of {label(uri)}; give a box within it, in the "
            "axis order of bbox-crs",
        )
    return (found[0], found[1], found[2], found[3]), area


@dataclass(frozen=True)
class ItemsQuery:
    """What an items request asks for (``bbox`` turned into CRS84: west, south, east, north;
    ``bbox_crs`` the CRS it was given in)."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0
    bbox: tuple[float, float, float, float] | None = None
    bbox_crs: str = CRS84
    crs: str = CRS84
    datetime: tuple[np.datetime64 | None, np.datetime64 | None] | None = None
    filters: tuple[tuple[str, object], ...] = ()
    fmt: str | None = None
    #: The area of a box given in metres (EPSG:2180, EPSG:3857) as a CRS84 polygon: features
    #: in ``bbox`` (its envelope) are kept only if they intersect it.
    area: shapely.Polygon | None = None


ITEMS_PARAMETERS = ("limit", "offset", "bbox", "bbox-crs", "crs", "datetime", *COMMON)


def parse_items_query(args: Mapping[str, str], collection: Collection) -> ItemsQuery:
    """The checked query of ``/collections/{id}/items`` of ``collection``.

    >>> from mapping.ogc.collections import DISTRICT_PROPERTIES
    >>> c = Collection("districts", "Districts", "", DISTRICT_PROPERTIES, lambda: None)
    >>> q = parse_items_query({"limit": "5", "name": "Gaj", "bbox": "16,50,17,51"}, c)
    >>> q.limit, q.filters, q.bbox
    (5, (('name', 'Gaj'),), (16.0, 50.0, 17.0, 51.0))
    >>> parse_items_query({"limit": "0"}, c)
    Traceback (most recent call last):
    ...
    mapping.ogc.query.OgcError: limit: expected a whole number from 1 to 10000, got '0'
    """
    queryables = collection.queryables
    check_parameters(args, [*ITEMS_PARAMETERS, *queryables])
    if collection.interval is None and args.get("datetime"):
        raise _bad(
            "datetime",
            f"datetime: the collection {collection.id} has no time; leave datetime out (the "
            "indicator and actions collections have one)",
        )
    bbox_crs = parse_crs(args, "bbox-crs")
    bbox, area = _in_crs84(_bbox(args.get("bbox")), bbox_crs)
    return ItemsQuery(
        area=area,
        limit=_whole(args, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        offset=_whole(args, "offset", 0, 0, MAX_OFFSET),
        bbox=bbox,
        bbox_crs=bbox_crs,
        crs=parse_crs(args, "crs"),
        datetime=_datetime(args.get("datetime")),
        filters=tuple(
            (name, _filter_value(prop, args[name]))
            for name, prop in queryables.items()
            if name in args
        ),
        fmt=parse_format(args),
    )
