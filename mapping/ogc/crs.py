"""Coordinate reference systems of the OGC API (Part 2: ``crs``, ``bbox-crs``, ``Content-Crs``).

palmap stores longitude/latitude (OGC CRS84, the GeoJSON default). An items request may ask for
the coordinates in another system by its URI; each comes in the axis order its authority
defines, checked with pyproj: EPSG:4326 latitude first, EPSG:2180 (PUWG 1992) northing first
(Polish surveyors' X), EPSG:3857 easting first.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Transformer

__all__ = [
    "CRS84",
    "DECIMALS",
    "EPSG_2180",
    "EPSG_3857",
    "EPSG_4326",
    "STORAGE_CRS",
    "SUPPORTED_CRS",
    "bbox_to_crs84",
    "box_in_crs84",
    "geometries_in",
    "label",
]

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
EPSG_2180 = "http://www.opengis.net/def/crs/EPSG/0/2180"
EPSG_3857 = "http://www.opengis.net/def/crs/EPSG/0/3857"
#: Every CRS the API answers in, the storage CRS first.
SUPPORTED_CRS: tuple[str, ...] = (CRS84, EPSG_4326, EPSG_2180, EPSG_3857)
#: The CRS the features are kept in (longitude, latitude).
STORAGE_CRS = CRS84
#: Decimals written per CRS: 7 for degrees (about 1 cm), 2 for metres (1 cm).
DECIMALS: dict[str, int] = {CRS84: 7, EPSG_4326: 7, EPSG_2180: 2, EPSG_3857: 2}

_AUTHORITY = {
    CRS84: "OGC:CRS84",
    EPSG_4326: "EPSG:4326",
    EPSG_2180: "EPSG:2180",
    EPSG_3857: "EPSG:3857",
}


def label(uri: str) -> str:
    """The short name of a supported CRS URI.

    >>> label(EPSG_2180)
    'EPSG:2180'
    """
    return _AUTHORITY[uri]


@lru_cache(maxsize=8)
def _transformer(source: str, target: str) -> Transformer:
    """Authority axis order on both sides (``always_xy=False``)."""
    return Transformer.from_crs(CRS(_AUTHORITY[source]), CRS(_AUTHORITY[target]), always_xy=False)


def geometries_in(geometries: np.ndarray, uri: str) -> np.ndarray:
    """``geometries`` (CRS84) with their coordinates in ``uri``'s axis order, rounded.

    >>> import shapely
    >>> p = np.array([shapely.Point(16.28, 50.77)])
    >>> shapely.get_coordinates(geometries_in(p, EPSG_4326)).tolist()
    [[50.77, 16.28]]
    >>> [round(v) for v in shapely.get_coordinates(geometries_in(p, EPSG_2180))[0]]
    [326087, 308269]
    """
    decimals = DECIMALS[uri]
    if uri == CRS84:
        return shapely.transform(geometries, lambda xy: np.round(xy, decimals))
    if uri == EPSG_4326:
        return shapely.transform(geometries, lambda xy: np.round(xy[:, ::-1], decimals))
    transformer = _transformer(CRS84, uri)

    def move(xy: np.ndarray) -> np.ndarray:
        first, second = transformer.transform(xy[:, 0], xy[:, 1])
        return np.round(np.column_stack([first, second]), decimals)

    return shapely.transform(geometries, move)


def bbox_to_crs84(
    bbox: tuple[float, float, float, float], uri: str
) -> tuple[float, float, float, float]:
    """A bounding box given in ``uri``'s axis order (first axis min, second axis min, first
    axis max, second axis max) as (west, south, east, north) in CRS84, densified so that a box
    in metres keeps the area its curved edges cover.

    >>> bbox_to_crs84((50.7, 16.2, 50.8, 16.3), EPSG_4326)
    (16.2, 50.7, 16.3, 50.8)
    """
    if uri == CRS84:
        return bbox
    if uri == EPSG_4326:
        return (bbox[1], bbox[0], bbox[3], bbox[2])
    west, south, east, north = _transformer(uri, CRS84).transform_bounds(*bbox, densify_pts=21)
    return (float(west), float(south), float(east), float(north))


def box_in_crs84(bbox: tuple[float, float, float, float], uri: str) -> shapely.Polygon:
    """The area of a box given in ``uri`` as a CRS84 polygon (its edges densified): what a box in
    metres really covers, for the exact test of the features its CRS84 envelope finds.

    >>> area = box_in_crs84((300000, 320000, 330000, 340000), EPSG_2180)
    >>> len(shapely.get_coordinates(area)) > 5
    True
    """
    first_low, second_low, first_high, second_high = bbox
    steps = np.linspace(0.0, 1.0, 21)
    firsts = first_low + (first_high - first_low) * steps
    seconds = second_low + (second_high - second_low) * steps
    ring_first = np.concatenate(
        [firsts, np.full(21, first_high), firsts[::-1], np.full(21, first_low)]
    )
    ring_second = np.concatenate(
        [np.full(21, second_low), seconds, np.full(21, second_high), seconds[::-1]]
    )
    lon, lat = _transformer(uri, CRS84).transform(ring_first, ring_second)
    return shapely.Polygon(np.column_stack([lon, lat]))
