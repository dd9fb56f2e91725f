"""The first view of an interactive map: fitted to bounds, or a fixed centre and zoom.

Every map builder calls :func:`place_view` right after making the map, before adding its
layers: each layer is then projected once, at the first view (a fit after the layers projected
the 2,477 gminy twice, at the builder's start zoom and again at the fitted one), and a layer that
loads per view (the server clusters) asks once. Without a :class:`MapView` (or with one that
fixes nothing) the map is fitted to its bounds as folium does (``fitBounds``). With a centre or a
zoom (an embed's ``centre=`` and ``zoom=``), :class:`FixedView` fits the bounds without animation
(an animated fit would end after the next step and undo it) and then moves the map to the asked
centre and zoom.
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
from branca.element import MacroElement
from folium.template import Template

__all__ = ["FixedView", "MapView", "place_view"]


@dataclass(frozen=True)
class MapView:
    """A map's first view: ``centre`` as ``(lat, lon)`` and ``zoom``; None keeps the fitted one.

    Examples
    --------
    >>> MapView().fixed, MapView(zoom=13).fixed
    (False, True)
    """

    centre: tuple[float, float] | None = None
    zoom: float | None = None

    @property
    def fixed(self) -> bool:
        """True when the view moves away from the fit to the bounds."""
        return self.centre is not None or self.zoom is not None


class FixedView(MacroElement):
    """Fits the map to ``bounds`` (without the animation of folium's fit, which would end after
    and undo the next step), then moves it to the asked centre and zoom."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function (map, bounds, centre, zoom) {
                if (bounds) { map.fitBounds(bounds, {animate: false}); }
                map.setView(centre || map.getCenter(), zoom === null ? map.getZoom() : zoom,
                            {animate: false});
            })({{ this._parent.get_name() }}, {{ this.bounds|tojson }},
               {{ this.centre|tojson }}, {{ this.zoom|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, view: MapView, bounds: list[list[float]] | None) -> None:
        super().__init__()
        self._name = "View"
        self.centre = list(view.centre) if view.centre else None
        self.zoom = view.zoom
        self.bounds = bounds


def place_view(m: folium.Map, bounds: list[list[float]] | None, view: MapView | None) -> None:
    """Add the first view to ``m`` (call it before adding the layers): fitted to ``bounds``
    (nothing when None), or ``view`` when it fixes a centre or zoom."""
    if view is not None and view.fixed:
        FixedView(view, bounds).add_to(m)
    elif bounds is not None:
        m.fit_bounds(bounds)
