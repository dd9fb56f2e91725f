"""Hand-made districts around Wałbrzych, categories and indicators for the io tests.

Three boxes drawn in PUWG 1992 (EPSG:2180; x = easting, y = northing as shapely stores them) and
converted to EPSG:4326, so that every expected district can be checked by hand:

* ``srodmiescie`` "Śródmieście": easting 305,000-309,000, northing 320,000-328,000
* ``bialy-kamien`` "Biały Kamień": easting 309,000-314,000, northing 320,000-328,000
* ``podzamcze`` "Podzamcze": easting 305,000-314,000, northing 328,000-336,000
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from pyproj import Transformer
from shapely import MultiPolygon, box

from mapping.categories import DEFAULT_CATEGORIES
from mapping.frames import CATEGORY_COLUMNS, INDICATOR_COLUMNS

BOXES_2180 = {
    "srodmiescie": ("Śródmieście", box(305_000, 320_000, 309_000, 328_000)),
    "bialy-kamien": ("Biały Kamień", box(309_000, 320_000, 314_000, 328_000)),
    "podzamcze": ("Podzamcze", box(305_000, 328_000, 314_000, 336_000)),
}
TO_WGS84 = Transformer.from_crs(2180, 4326, always_xy=True)


def lonlat(easting: float, northing: float) -> tuple[float, float]:
    """PUWG 1992 easting/northing to (lon, lat)."""
    return TO_WGS84.transform(easting, northing)


def districts_2180() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": list(BOXES_2180), "name": [name for name, _ in BOXES_2180.values()]},
        geometry=[MultiPolygon([geom.segmentize(500)]) for _, geom in BOXES_2180.values()],
        crs=2180,
    )


@pytest.fixture
def districts() -> gpd.GeoDataFrame:
    frame = districts_2180().to_crs(4326)
    frame.insert(0, "id", pd.array([pd.NA] * len(frame), dtype="Int64"))
    frame["source"] = "test boxes"
    frame["schematic"] = False
    return frame[["id", "code", "name", "source", "schematic", "geometry"]]


@pytest.fixture
def categories() -> pd.DataFrame:
    return pd.DataFrame(DEFAULT_CATEGORIES, columns=list(CATEGORY_COLUMNS))


@pytest.fixture
def indicators() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("residents", "mieszkańcy", "residents", "osoby", False, None, None, None, None),
            (
                "social_assistance",
                "osoby korzystające z pomocy społecznej",
                "beneficiaries of social assistance",
                "osoby",
                True,
                "residents",
                None,
                None,
                "income",
            ),
        ],
        columns=list(INDICATOR_COLUMNS),
    )
