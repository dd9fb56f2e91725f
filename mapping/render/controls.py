"""The controls drawn on top of every map: the legend and a metric scale bar.

Both are folium ``MacroElement`` subclasses whose script adds a Leaflet control to their parent
map. The legend holds HTML built on the server (every text escaped by
:func:`~mapping.render.escape.escape_text`); its title folds it away on small maps.
"""

from __future__ import annotations

from typing import Final

from branca.element import MacroElement
from folium.template import Template

from mapping.render.escape import escape_text

__all__ = ["Legend", "MetricScale", "legend_html", "swatch"]


class MetricScale(MacroElement):
    """A scale bar in metres only (folium's control_scale adds miles, which no reader here uses)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            L.control.scale({imperial: false, maxWidth: 150}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MetricScale"


# The legend's title becomes a button that folds the legend to its title (aria-expanded says
# which); on a map narrower than 440 px or lower than 300 px (a phone, a small embed, the
# comparison maps on a 1024 px screen) it starts folded, so that it does not cover the
# districts. Defined once per page, whatever the number of legends.
_COLLAPSIBLE_LEGEND_JS: Final = """
if (typeof palmapCollapsibleLegend === "undefined") {
    var palmapCollapsibleLegend = function (div, map) {
        var title = div.querySelector("h2");
        if (!title) { return; }
        var button = document.createElement("button");
        button.type = "button";
        button.className = "palmap-legend-toggle";
        while (title.firstChild) { button.appendChild(title.firstChild); }
        title.appendChild(button);
        var open = function (yes) {
            div.classList.toggle("palmap-collapsed", !yes);
            button.setAttribute("aria-expanded", yes ? "true" : "false");
        };
        button.addEventListener("click", function () {
            open(div.classList.contains("palmap-collapsed"));
        });
        var size = map.getSize();
        open(!(size.x < 440 || size.y < 300));
    };
}
"""


class Legend(MacroElement):
    """A Leaflet control holding server-built, already escaped legend HTML."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            """
        + _COLLAPSIBLE_LEGEND_JS
        + """
            var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
            {{ this.get_name() }}.onAdd = function () {
                var div = L.DomUtil.create("div", "palmap-legend leaflet-bar");
                div.innerHTML = {{ this.content|tojson }};
                palmapCollapsibleLegend(div, {{ this._parent.get_name() }});
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, content: str, *, position: str = "bottomright") -> None:
        super().__init__()
        self._name = "Legend"
        self.content = content
        self.position = position


def swatch(colour: str) -> str:
    """A round colour swatch; ``colour`` must be a checked ``#rrggbb`` string.

    Examples
    --------
    >>> swatch("#882255")
    '<span class="palmap-swatch" style="background-color:#882255"></span>'
    """
    # colour is a checked #rrggbb string, safe in an attribute.
    return f'<span class="palmap-swatch" style="background-color:{colour}"></span>'


def legend_html(entries: list[tuple[str, str]], *, title: str, note: str | None) -> str:
    """The overview's legend: ``title``, a swatch per ``(name, colour)`` entry, a note."""
    parts = [f"<h2>{escape_text(title)}</h2>"]
    if entries:
        items = "".join(f"<li>{swatch(colour)}{escape_text(name)}</li>" for name, colour in entries)
        parts.append(f"<ul>{items}</ul>")
    if note:
        parts.append(f'<p class="palmap-note">{escape_text(note)}</p>')
    return "".join(parts)
