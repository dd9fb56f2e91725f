"""A map as a page: fragments for a page template, or a whole standalone document.

:func:`map_fragments` and :func:`standalone_html` render a copy of the map (folium's render is
not idempotent) and refuse any page that would still load a remote script or stylesheet.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

import folium
from branca.element import Figure

from mapping.render.assets import RemoteAssetError, remote_asset_urls

__all__ = ["MapFragments", "map_fragments", "standalone_html"]


@dataclass(frozen=True)
class MapFragments:
    """The three parts of a rendered map, for embedding into a page template.

    Attributes
    ----------
    header
        Link, meta and style tags for ``<head>``.
    html
        The map's ``<div>`` for ``<body>``.
    script
        JavaScript to put inside a ``<script>`` element after the ``<div>`` (without the tags).
    """

    header: str
    html: str
    script: str


def _render(m: folium.Map) -> tuple[Figure, str, dict[str, str]]:
    """Render a copy of ``m``'s page; return the rendered copy, the whole document (its element
    ids already stable) and the stable id of each element's random one.

    folium's render is not idempotent (each render appends another ``addTo`` call per layer),
    so the caller's map is left untouched and every call gives the same output.
    """
    root = m.get_root()
    if not isinstance(root, Figure):
        raise TypeError(f"expected a folium Map inside a Figure, got a root {type(root).__name__}")
    figure = copy.deepcopy(root)
    page = _ACCESSIBLE_VIEWPORT.join(_FOLIUM_VIEWPORT.split(figure.render()))
    _refuse_remote(page)
    ids = _stable_ids(figure, page)
    return figure, _stable(page, ids), ids


def _elements(element: Any) -> Iterator[Any]:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _elements(child)


#: folium names every element with 32 random hex digits (``map_<id>``, ``geo_json_<id>``).
_HEX_ID: Final = re.compile(r"[0-9a-f]{32}")


def _stable_ids(figure: Figure, page: str) -> dict[str, str]:
    """Each element's random id mapped to one derived from the page itself: the same map gives
    the same bytes on every render, in every process (a pinned edition's page stays the same),
    and two different maps on one page still get different ids."""
    order: dict[str, int] = {}
    for element in _elements(figure):
        found = getattr(element, "_id", None)
        if isinstance(found, str) and _HEX_ID.fullmatch(found) and found not in order:
            order[found] = len(order)
    shape = _HEX_ID.sub(lambda m: f"#{order[m[0]]}" if m[0] in order else m[0], page)
    seed = hashlib.sha256(shape.encode("utf-8")).hexdigest()
    return {
        old: hashlib.sha256(f"{seed}:{index}".encode()).hexdigest()[:32]
        for old, index in order.items()
    }


def _stable(text: str, ids: dict[str, str]) -> str:
    return _HEX_ID.sub(lambda m: ids.get(m[0], m[0]), text)


# folium's page forbids zooming (user-scalable=no), which fails WCAG 1.4.4 for people who need to
# enlarge text; the standalone page gets an ordinary viewport, embedding pages bring their own.
_FOLIUM_VIEWPORT: Final = re.compile(r'<meta name="viewport"[^>]*user-scalable=no[^>]*>', re.S)
_ACCESSIBLE_VIEWPORT: Final = '<meta name="viewport" content="width=device-width, initial-scale=1">'
_CHARSET_META: Final = re.compile(r'<meta http-equiv="content-type"[^>]*>', re.I)


def _refuse_remote(page: str) -> None:
    remote = remote_asset_urls(page)
    if remote:
        raise RemoteAssetError(
            "expected a map page that loads scripts and stylesheets only from this server, got "
            f"{', '.join(remote)}; build the map with mapping.render.interactive.overview_map "
            "or pass the page through mapping.render.assets.localise_html"
        )


def map_fragments(m: folium.Map) -> MapFragments:
    """Render ``m`` into header, body HTML and script for a page template.

    Put ``header`` in ``<head>``, ``html`` where the map goes, and ``script`` inside a
    ``<script>`` element after it; all three are trusted markup (``|safe`` in Jinja).

    Parameters
    ----------
    m
        A map from :func:`~mapping.render.interactive.overview_map` (any folium Map that loads
        nothing remote works).

    Returns
    -------
    MapFragments
        The rendered parts.

    Raises
    ------
    RemoteAssetError
        If the page would load a script or stylesheet from another host.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from mapping.render.interactive import overview_map
    >>> empty = gpd.GeoDataFrame(
    ...     {c: [] for c in ("name", "schematic", "category", "address", "operator", "website")},
    ...     geometry=[], crs=4326)
    >>> categories = pd.DataFrame(columns=["code", "name_pl", "name_en", "colour"])
    >>> parts = map_fragments(overview_map(empty, empty, categories, tiles="none"))
    >>> '<script src="/static/vendor/leaflet/leaflet.js"></script>' in parts.header
    True
    >>> parts.script.count("L.map(")
    1
    """
    figure, _, ids = _render(m)
    # The embedding page has its own charset and viewport; two of each are invalid HTML.
    header = _FOLIUM_VIEWPORT.sub("", _CHARSET_META.sub("", figure.header.render()))
    return MapFragments(
        header=_stable(header, ids),
        html=_stable(figure.html.render(), ids),
        script=_stable(figure.script.render(), ids),
    )


def standalone_html(m: folium.Map) -> str:
    """Render ``m`` as a whole HTML document.

    Parameters
    ----------
    m
        A map from :func:`~mapping.render.interactive.overview_map`.

    Returns
    -------
    str
        ``<!DOCTYPE html>`` and everything after it.

    Raises
    ------
    RemoteAssetError
        If the page would load a script or stylesheet from another host.

    Examples
    --------
    >>> import folium
    >>> standalone_html(folium.Map(tiles=None))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mapping.render.assets.RemoteAssetError: expected a map page that loads ...
    """
    _, page, _ids = _render(m)
    return page
