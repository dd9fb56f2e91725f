"""A map as a page: fragments for a page template, or a whole standalone document.

:func:`map_fragments` and :func:`standalone_html` render a copy of the map (folium's render is
not idempotent) and refuse any page that would still load a remote script or stylesheet.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Final

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


def _render(m: folium.Map) -> tuple[Figure, str]:
    """Render a copy of ``m``'s page; return the rendered copy and the whole document.

    folium's render is not idempotent (each render appends another ``addTo`` call per layer),
    so the caller's map is left untouched and every call gives the same output.
    """
    root = m.get_root()
    if not isinstance(root, Figure):
        raise TypeError(f"expected a folium Map inside a Figure, got a root {type(root).__name__}")
    figure = copy.deepcopy(root)
    page = _ACCESSIBLE_VIEWPORT.join(_FOLIUM_VIEWPORT.split(figure.render()))
    _refuse_remote(page)
    return figure, page


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
    figure, _ = _render(m)
    # The embedding page has its own charset and viewport; two of each are invalid HTML.
    header = _FOLIUM_VIEWPORT.sub("", _CHARSET_META.sub("", figure.header.render()))
    return MapFragments(header=header, html=figure.html.render(), script=figure.script.render())


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
    _, page = _render(m)
    return page
