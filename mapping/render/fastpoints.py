"""The fast point layer: a large resource set sent as compact arrays and drawn by the browser.

Above :data:`mapping.render.resources.FAST_RESOURCES_ABOVE` points, one GeoJSON feature with
its popup HTML per resource makes the page too big and too slow (6.5 MB at 10,000 points). A
:class:`FastPoints` layer per category sends ``[lat, lon, rid, name, address, operator,
website]`` rows instead (every string escaped on the server), and :data:`FAST_POINTS_JS` builds
the circle markers, one shared marker cluster and the popups in the browser.
"""

from __future__ import annotations

from typing import Any, Final

from branca.element import Element, Figure
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template
from jinja2.utils import htmlsafe_json_dumps

from mapping.render.assets import AssetUrls

__all__ = ["FAST_POINTS_JS", "FastPoints", "RawText"]

# Builds the markers of a large resource set in the browser (see FastPoints). Every string in
# the data was escaped by escape_text (and website checked by safe_url) on the server; this only
# joins them into the markup of popup_html, and only when a popup opens.
FAST_POINTS_JS: Final = """
function palmapFastPoints(map, settings) {
    var cluster = L.markerClusterGroup(settings.cluster).addTo(map);
    var labels = settings.labels;
    // A marker gets its popup when it is first clicked: binding 10,000 popups up front costs
    // more than building the markers.
    cluster.on("click", function (event) {
        var marker = event.layer;
        if (marker && marker.palmapRow && !marker.getPopup()) {
            marker.bindPopup(popup, {maxWidth: 320}).openPopup();
        }
    });
    function item(label, value) {
        return value && value.trim() ? "<dt>" + label + "</dt><dd>" + value + "</dd>" : "";
    }
    function popup(marker) {
        var row = marker.palmapRow;
        var items = item(labels.category, marker.palmapCategory) + item(labels.address, row[4])
            + item(labels.operator, row[5]);
        if (row[6]) {
            items += "<dt>" + labels.website + '</dt><dd><a href="' + row[6]
                + '" rel="noopener noreferrer" target="_blank">' + row[6] + "</a></dd>";
        }
        return '<div class="palmap-popup">'
            + (row[3] ? '<strong class="palmap-popup-title">' + row[3] + "</strong>" : "")
            + (items ? "<dl>" + items + "</dl>" : "") + "</div>";
    }
    function category(data) {
        var style = {
            radius: 7, color: "#ffffff", weight: 1.5, fillColor: data.colour, fillOpacity: 0.9
        };
        var markers = null;
        // Built when the layer is first switched on: a page that shows resources switched off
        // (the indicator map) does not pay for them.
        function build() {
            if (markers === null) {
                markers = new Array(data.rows.length);
                for (var i = 0; i < data.rows.length; i++) {
                    var row = data.rows[i];
                    var marker = L.circleMarker([row[0], row[1]], style);
                    marker.feature = {type: "Feature", properties: {rid: row[2]}};
                    marker.palmapRow = row;
                    marker.palmapCategory = data.name;
                    markers[i] = marker;
                }
            }
            return markers;
        }
        var group = L.layerGroup();
        group.on("add", function () { cluster.addLayers(build()); });
        group.on("remove", function () { cluster.removeLayers(build()); });
        return group;
    }
    return {cluster: cluster, category: category};
}
"""


class RawText(Element):
    """Text that goes into the page as it is (branca's ``Element`` compiles its text as a
    template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        """The text, unchanged."""
        return self.text


class FastPoints(JSCSSMixin, Layer):
    """The resources of one category of a large set, for the layer control.

    The data travel as one compact array per category (``[lat, lon, rid, name, address,
    operator, website]``, every string escaped), written as a JSON string that the page hands to
    ``JSON.parse``: Chromium took 6 s to compile the same 100,000 rows written as a JavaScript
    literal, and 0.6 s to parse them as JSON. The browser builds the circle markers from it
    and puts every category into one shared marker cluster, and a popup is bound and its HTML
    joined only when a marker is first clicked. The first layer of a map (``lead``) defines the
    shared cluster, so the layers must be added to the map in the order
    :func:`mapping.render.resources.fast_resource_layers` returns them.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{% if this.lead %}" + FAST_POINTS_JS + "var {{ this.shared }} = palmapFastPoints("
        "{{ this._parent.get_name() }}, {{ this.settings|tojson }});\n{% endif %}"
        "var {{ this.get_name() }} = {{ this.shared }}.category("
        "JSON.parse({{ this.placeholder }}));\n"
        "{% endmacro %}"
    )

    def __init__(
        self,
        *,
        assets: AssetUrls,
        name: str,
        data: dict[str, Any],
        lead: FastPoints | None,
        settings: dict[str, Any],
        show: bool,
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "FastPoints"
        self.default_js = assets.markercluster_js_links
        self.default_css = assets.markercluster_css_links
        # Serialised once, here: a string is shared, not copied, when the page is rendered from a
        # copy of the map (see mapping.render.fragments), and rendering does not walk 100,000
        # rows again.
        self.data_json = str(htmlsafe_json_dumps(data, separators=(",", ":")))
        self.placeholder = f"palmap_rows_{self.get_name()}"
        self.lead = lead is None
        self.settings = settings
        self.shared = f"{(lead or self).get_name()}_shared"

    # branca's MacroElement.render returns None (its result is never used); Element.render, which
    # it overrides, says str because plain elements render their template into their parent's.
    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
        """Render as folium does, then put the rows into the script as a JavaScript string.

        branca wraps every rendered script in an ``Element``, which compiles it as a Jinja
        template: with the rows in it that took 1 s for 100,000 resources. The script is rendered
        with a short placeholder instead, and its element replaced (same name, same place) by a
        :class:`RawText` of the script with the rows.
        """
        super().render(**kwargs)
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError(f"expected a map inside a Figure, got a root {type(figure).__name__}")
        script = self._template.module.script(self, kwargs)
        text = str(script).replace(self.placeholder, str(htmlsafe_json_dumps(self.data_json)), 1)
        figure.script.add_child(RawText(text), name=self.get_name())
