"""Maps for other websites to frame: a district map with the embed's legend, tiles and view.

An embed (``/embed/...``) draws the map of its page with a few options of its own: the legend
on or off, the base tiles, and a fixed first view (centre and zoom) instead of the fit to the
districts. :func:`embed_map` builds that map in one go, so nothing has to be taken off a built
map afterwards; render it with :func:`~mapping.render.fragments.map_fragments`. The title bar
and its link to the full page belong to the embed's page template, not to the map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

import folium
import geopandas as gpd

from mapping.errors import ValidationError
from mapping.render.basemap import MAX_ZOOM
from mapping.render.choropleth import district_map
from mapping.render.view import MapView

__all__ = ["MIN_ZOOM", "EmbedMapOptions", "embed_map"]

#: The least zoom an embed may ask for (the greatest is :data:`~mapping.render.basemap.MAX_ZOOM`).
MIN_ZOOM: Final = 1


@dataclass(frozen=True)
class EmbedMapOptions:
    """What an embed changes on its page's map.

    Attributes
    ----------
    legend
        False leaves out both legends (the values' and the resource categories').
    centre
        ``(latitude, longitude)`` of the first view; None keeps the centre of the fit.
    zoom
        Zoom of the first view, :data:`MIN_ZOOM` to ``MAX_ZOOM``; None keeps the fitted zoom.
    tiles
        The base map, as for :func:`~mapping.render.choropleth.district_map` (``"osm"``,
        ``"none"`` or a configured URL template; never one from a visitor's query).

    Examples
    --------
    >>> EmbedMapOptions(zoom=40)
    Traceback (most recent call last):
    ...
    mapping.errors.ValidationError: zoom: expected a number from 1 to 18, got 40
    """

    legend: bool = True
    centre: tuple[float, float] | None = None
    zoom: float | None = None
    tiles: str = "osm"

    def __post_init__(self) -> None:
        if self.zoom is not None and not (
            math.isfinite(self.zoom) and MIN_ZOOM <= self.zoom <= MAX_ZOOM
        ):
            raise ValidationError(
                f"zoom: expected a number from {MIN_ZOOM} to {MAX_ZOOM}, got {self.zoom}"
            )
        if self.centre is not None:
            lat, lon = self.centre
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValidationError(
                    "centre: expected latitude from -90 to 90 and longitude from -180 to 180 "
                    f"in degrees, such as 50.77,16.28; got {lat},{lon}"
                )

    @property
    def view(self) -> MapView:
        """The first view: fixed when a centre or a zoom is given, else fitted."""
        return MapView(centre=self.centre, zoom=self.zoom)

    def map_args(self) -> dict[str, Any]:
        """The arguments of :func:`~mapping.render.choropleth.district_map` that the embed
        sets (``tiles`` and ``view``), for code that calls it through another helper."""
        return {"tiles": self.tiles, "view": self.view}


def embed_map(
    districts: gpd.GeoDataFrame, options: EmbedMapOptions, **arguments: Any
) -> folium.Map:
    """The district map of ``arguments`` as an embed draws it.

    Parameters
    ----------
    districts
        As for :func:`~mapping.render.choropleth.district_map`.
    options
        The embed's legend, tiles and view: they take the place of ``tiles``, and of
        ``legend`` and ``resource_legend`` when ``options.legend`` is False.
    **arguments
        Every other keyword of :func:`~mapping.render.choropleth.district_map` (fills,
        tooltips, legend, resources, language, labels, asset prefix, ...).

    Returns
    -------
    folium.Map
        Fitted to the districts, then moved to ``options.view`` when it is fixed (without
        animation, so that the asked view is the one that stays).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> from mapping.render.fragments import map_fragments
    >>> d = gpd.GeoDataFrame({"code": ["a"], "name": ["A"]},
    ...     geometry=[box(16.2, 50.7, 16.3, 50.8)], crs=4326)
    >>> script = map_fragments(embed_map(d, EmbedMapOptions(zoom=14, tiles="none"),
    ...                                  fills={})).script
    >>> ".fitBounds(" in script, "{animate: false}" in script
    (True, True)
    """
    chosen = {**arguments, **options.map_args()}
    if not options.legend:
        chosen["legend"] = None
        chosen["resource_legend"] = None
    return district_map(districts, **chosen)
