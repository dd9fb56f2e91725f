"""The resource layer of a very large set: clusters loaded from the server for each view.

From :data:`mapping.clusters.CLUSTER_MIN_RESOURCES` placed resources on (and when the page gives
the URL of the cluster endpoint), a map carries no resource at all: :class:`ServerClusters`
asks the endpoint for the view's clusters (:func:`mapping.clusters.view_clusters`) when it is
switched on and after every move or zoom (``moveend``), and draws them as numbered cluster icons
(a click zooms in; they are buttons with a name, reachable by keyboard) or, when few, as circle
markers in the category's colour whose popup names the resource and its category. Names arrive
as JSON text and are put in with ``textContent``: nothing from the data becomes markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template

from mapping.render.assets import AssetUrls

__all__ = ["CLUSTER_JS", "CLUSTER_LABELS", "ServerClusters"]

#: The layer's name and the words of its icons, by language.
CLUSTER_LABELS: Final = {
    "pl": {"layer": "Zasoby", "cluster": "zasobów – przybliż", "category": "Kategoria"},
    "en": {"layer": "Resources", "cluster": "resources – zoom in", "category": "Category"},
}

CLUSTER_JS: Final = """
function palmapServerClusters(map, settings) {
    var group = L.layerGroup();
    var request = 0, drawn = null;
    function size(count) {
        return count < 100 ? "small" : (count < 1000 ? "medium" : "large");
    }
    function popup(row) {
        var box = document.createElement("div");
        box.className = "palmap-popup";
        var title = document.createElement("strong");
        title.className = "palmap-popup-title";
        title.textContent = row[3] || "";
        box.appendChild(title);
        var category = settings.categories[row[4]];
        if (category) {
            var line = document.createElement("p");
            line.textContent = settings.labels.category + ": " + category[0];
            box.appendChild(line);
        }
        return box;
    }
    function draw(answer) {
        group.clearLayers();
        (answer.clusters || []).forEach(function (row) {
            var count = row[2];
            var marker;
            if (count === 1) {
                marker = L.circleMarker([row[0], row[1]], settings.single);
            } else {
                var icon = L.divIcon({
                    html: "<div><span>" + count + "</span></div>",
                    className: "marker-cluster marker-cluster-" + size(count),
                    iconSize: L.point(40, 40)
                });
                marker = L.marker([row[0], row[1]], {
                    icon: icon, title: count + " " + settings.labels.cluster, keyboard: true
                });
            }
            var zoomIn = function () {
                map.setView([row[0], row[1]], Math.min(map.getZoom() + 2, map.getMaxZoom()));
            };
            marker.on("click", zoomIn);
            // Enter on a focused cluster (Leaflet itself only opens popups on Enter).
            marker.on("keypress", function (e) {
                if (e.originalEvent.keyCode === 13) { zoomIn(); }
            });
            group.addLayer(marker);
        });
        (answer.points || []).forEach(function (row) {
            var category = settings.categories[row[4]];
            var style = L.extend({}, settings.single,
                {fillColor: category ? category[1] : settings.single.fillColor});
            var marker = L.circleMarker([row[0], row[1]], style);
            marker.feature = {type: "Feature", properties: {rid: row[2]}};
            marker.bindPopup(function () { return popup(row); }, {maxWidth: 320});
            group.addLayer(marker);
        });
        group.palmapTotal = answer.total;
        group.fire("palmap:loaded", {total: answer.total});
    }
    function load() {
        if (!map.hasLayer(group)) { return; }
        var b = map.getBounds();
        var clamp = function (v, lo, hi) { return Math.max(lo, Math.min(hi, v)); };
        var box = [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90),
                   clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)]
            .map(function (v) { return v.toFixed(6); }).join(",");
        var zoom = Math.max(0, Math.min(22, Math.round(map.getZoom())));
        var url = settings.url + (settings.url.indexOf("?") < 0 ? "?" : "&")
            + "bbox=" + box + "&zoom=" + zoom;
        var mine = ++request;
        fetch(url, {credentials: "same-origin"})
            .then(function (r) { return r.ok ? r.text() : null; })
            .then(function (text) {
                // The same answer again (a move that shows the same clusters) keeps the drawn
                // markers, and with them the keyboard focus on a cluster.
                if (text === null || mine !== request || text === drawn) { return; }
                drawn = text;
                draw(JSON.parse(text));
            });
    }
    group.on("add", load);
    map.on("moveend", load);
    return group;
}
"""


class ServerClusters(JSCSSMixin, Layer):
    """All resources as one layer whose clusters the browser loads from ``url`` per view.

    ``categories`` maps a category code to its (plain-text) name and colour.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}" + CLUSTER_JS + "var {{ this.get_name() }} = "
        "palmapServerClusters({{ this._parent.get_name() }}, {{ this.settings|tojson }});\n"
        "{% endmacro %}"
    )

    def __init__(
        self,
        *,
        assets: AssetUrls,
        url: str,
        categories: Mapping[str, tuple[str, str]],
        lang: str,
        show: bool,
    ) -> None:
        labels = CLUSTER_LABELS.get(lang, CLUSTER_LABELS["en"])
        super().__init__(name=labels["layer"], overlay=True, control=True, show=show)
        self._name = "ServerClusters"
        self.default_js = assets.markercluster_js_links[:0]
        self.default_css = assets.markercluster_css_links
        self.settings: dict[str, Any] = {
            "url": url,
            "categories": {str(code): [n, c] for code, (n, c) in categories.items()},
            "labels": labels,
            "single": {
                "radius": 7,
                "color": "#ffffff",
                "weight": 1.5,
                "fillColor": "#777777",
                "fillOpacity": 0.9,
            },
        }
