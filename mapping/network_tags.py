"""Which OpenStreetMap ways a person can walk along (:mod:`mapping.network`).

A way is kept when its ``highway`` value is in :data:`WALKABLE` and no tag forbids walking:

* kept: footways, paths, pedestrian streets, steps, living streets, residential, service,
  unclassified streets, tracks, cycleways (unless ``foot=no``), and tertiary, secondary and
  primary roads with their links. Sidewalks are *assumed* along the classified roads: in Polish
  towns nearly every primary and secondary street in built-up areas has one, and OSM rarely maps
  them as separate ways. A road mapped with ``sidewalk=no`` is still kept (a verge or the
  roadside is walkable and the alternative is a detour the data cannot tell);
* skipped, each counted by its reason (:data:`REASONS`): motorways and trunk roads with their
  links (no pedestrians by law); ``foot=no``; ``access=no`` or ``access=private`` without a
  ``foot`` tag that allows walking (``yes``, ``designated``, ``permissive``); other highway
  values (construction, proposed, raceway, bus guideway, ...); and lines without a
  ``highway`` tag (rivers, railways, power lines, boundaries).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["FOOT_ALLOWED", "MOTOR_ONLY", "REASONS", "WALKABLE", "classify_ways", "parse_tags"]

#: ``highway`` values kept as walkable.
WALKABLE: frozenset[str] = frozenset(
    {
        "footway",
        "path",
        "pedestrian",
        "steps",
        "living_street",
        "residential",
        "service",
        "unclassified",
        "track",
        "cycleway",
        "tertiary",
        "tertiary_link",
        "secondary",
        "secondary_link",
        "primary",
        "primary_link",
        "corridor",
        "bridleway",
    }
)
#: ``highway`` values never walked (pedestrians are banned on them).
MOTOR_ONLY: frozenset[str] = frozenset({"motorway", "motorway_link", "trunk", "trunk_link"})
#: ``foot`` values that allow walking whatever ``access`` says.
FOOT_ALLOWED: frozenset[str] = frozenset({"yes", "designated", "permissive"})

#: Why a line was kept or skipped, in the order the report lists them.
REASONS: Mapping[str, str] = {
    "kept": "walkable way",
    "motorway": "motorway or trunk road (or its link): no pedestrians",
    "foot_no": "foot=no",
    "no_access": "access=no or access=private, and no foot tag that allows walking",
    "not_walkable": "a highway value that is not walked (construction, proposed, raceway, ...)",
    "not_highway": "not a highway (a river, railway, power line, boundary, ...)",
}

_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')


def parse_tags(other_tags: object) -> dict[str, str]:
    """The ``other_tags`` column of GDAL's OSM driver (``"k"=>"v","k2"=>"v2"``) as a dict.

    Examples
    --------
    >>> parse_tags('"foot"=>"no","access"=>"private"')
    {'foot': 'no', 'access': 'private'}
    >>> parse_tags(None)
    {}
    """
    if not isinstance(other_tags, str) or not other_tags:
        return {}
    return {
        key.replace('\\"', '"'): value.replace('\\"', '"')
        for key, value in _PAIR.findall(other_tags)
    }


def _reason(highway: object, tags: Mapping[str, str]) -> str:
    if not isinstance(highway, str) or not highway:
        return "not_highway"
    if highway in MOTOR_ONLY:
        return "motorway"
    foot = tags.get("foot", "").strip().lower()
    if foot == "no":
        return "foot_no"
    if highway not in WALKABLE:
        return "not_walkable"
    access = tags.get("access", "").strip().lower()
    if access in {"no", "private"} and foot not in FOOT_ALLOWED:
        return "no_access"
    return "kept"


def classify_ways(lines: pd.DataFrame) -> np.ndarray:
    """The reason (a key of :data:`REASONS`) of every line of GDAL's OSM ``lines`` layer
    (columns ``highway`` and ``other_tags``; a missing column counts as empty).

    Examples
    --------
    >>> frame = pd.DataFrame({"highway": ["footway", "motorway", "residential", None],
    ...                       "other_tags": [None, None, '"access"=>"private"', None]})
    >>> classify_ways(frame).tolist()
    ['kept', 'motorway', 'no_access', 'not_highway']
    """
    highways = lines["highway"] if "highway" in lines.columns else pd.Series([None] * len(lines))
    others = (
        lines["other_tags"] if "other_tags" in lines.columns else pd.Series([None] * len(lines))
    )
    reasons = [
        _reason(h, parse_tags(t))
        for h, t in zip(highways.to_numpy(), others.to_numpy(), strict=True)
    ]
    return np.asarray(reasons, dtype=object)
