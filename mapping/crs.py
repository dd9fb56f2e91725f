"""Coordinate reference systems used throughout palmap.

Storage, GeoJSON and web maps use WGS 84 longitude/latitude (EPSG:4326). Areas and distances are
measured in the Polish national grid PUWG 1992 (EPSG:2180), whose official axis order is
northing (X), easting (Y); pyproj's ``always_xy`` transformers and GeoPandas use easting, northing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyproj import CRS

from mapping.errors import CRSError

if TYPE_CHECKING:
    import geopandas as gpd

WEB_CRS = CRS.from_epsg(4326)
METRIC_CRS = CRS.from_epsg(2180)


def ensure_crs(gdf: gpd.GeoDataFrame, *, name: str = "frame") -> gpd.GeoDataFrame:
    """Return ``gdf`` in EPSG:4326, reprojecting if needed.

    Parameters
    ----------
    gdf
        A GeoDataFrame with a CRS.
    name
        What the frame holds, for the error message.

    Raises
    ------
    CRSError
        If the frame has no CRS: palmap never guesses one silently.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> gdf = gpd.GeoDataFrame(geometry=[Point(16.28, 50.77)], crs=4326)
    >>> ensure_crs(gdf).crs.to_epsg()
    4326
    """
    if gdf.crs is None:
        raise CRSError(
            f"expected {name} with a coordinate reference system, got none; "
            "give the CRS of the source file (for example EPSG:2180 or EPSG:4326)"
        )
    if CRS.from_user_input(gdf.crs) == WEB_CRS:
        return gdf
    return gdf.to_crs(WEB_CRS)


def to_metric(gdf: gpd.GeoDataFrame, *, name: str = "frame") -> gpd.GeoDataFrame:
    """Return ``gdf`` projected to EPSG:2180 for measuring areas and distances (metres).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> gdf = gpd.GeoDataFrame(geometry=[Point(16.28, 50.77)], crs=4326)
    >>> float(round(to_metric(gdf).geometry.x.iloc[0], -3))  # easting in metres
    308000.0
    """
    return ensure_crs(gdf, name=name).to_crs(METRIC_CRS)
