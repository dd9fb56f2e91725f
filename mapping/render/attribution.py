"""The OpenStreetMap attribution (ODbL) of maps and exports that hold data from OSM.

Data imported from OpenStreetMap (``palmap import osm``: resources with an external id
``osm:...``, districts whose source starts with "OpenStreetMap") is under the Open Database
License, which asks every map and file made from it to say "© OpenStreetMap contributors" and
link to https://www.openstreetmap.org/copyright. :func:`holds_osm` says whether the data shown
holds any; the interactive maps then add :data:`OSM_DATA_ATTRIBUTION` to Leaflet's attribution
control (:class:`DataAttribution`), static maps print :data:`OSM_DATA_CREDIT`, the yearly report
lists it among its sources. Data without OSM rows shows none of it.
"""

from __future__ import annotations

import json
from typing import Final

import pandas as pd
from branca.element import MacroElement
from folium.template import Template

__all__ = [
    "OSM_COPYRIGHT_URL",
    "OSM_DATA_ATTRIBUTION",
    "OSM_DATA_CREDIT",
    "DataAttribution",
    "holds_osm",
]

OSM_COPYRIGHT_URL: Final = "https://www.openstreetmap.org/copyright"
#: The attribution of the interactive maps (HTML, a constant: nothing from the data in it).
OSM_DATA_ATTRIBUTION: Final = (
    f'Data &copy; <a href="{OSM_COPYRIGHT_URL}" target="_blank" rel="noopener">'
    "OpenStreetMap contributors</a>, ODbL"
)
#: The same as plain text, for static maps and reports.
OSM_DATA_CREDIT: Final = f"Data © OpenStreetMap contributors, ODbL ({OSM_COPYRIGHT_URL})"


def _starts(values: pd.Series, prefix: str) -> bool:
    return bool(values.astype("string").fillna("").str.startswith(prefix).any())


def holds_osm(resources: pd.DataFrame | None, districts: pd.DataFrame | None) -> bool:
    """Whether the resources or districts hold rows imported from OpenStreetMap.

    Examples
    --------
    >>> holds_osm(pd.DataFrame({"external_id": ["osm:node/1", None]}), None)
    True
    >>> holds_osm(pd.DataFrame({"external_id": ["17"]}),
    ...           pd.DataFrame({"source": ["GUS"]}))
    False
    """
    if resources is not None and "external_id" in resources and len(resources):
        if _starts(resources["external_id"], "osm:"):
            return True
    if districts is not None and "source" in districts and len(districts):
        return _starts(districts["source"], "OpenStreetMap")
    return False


class DataAttribution(MacroElement):
    """Adds a constant attribution to the map's attribution control."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "if ({{ this._parent.get_name() }}.attributionControl) {"
        " {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text }}); }"
        "{% endmacro %}"
    )

    def __init__(self, html: str = OSM_DATA_ATTRIBUTION) -> None:
        super().__init__()
        self._name = "DataAttribution"
        # A JSON string literal; "</" escaped so that it cannot close the script element.
        self.text = json.dumps(html).replace("</", "<\\/")
