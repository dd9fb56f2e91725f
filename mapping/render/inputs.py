"""What the map builders accept: the languages, the UI labels and the frames' columns.

Every builder (:func:`mapping.render.interactive.overview_map`,
:func:`mapping.render.choropleth.district_map`) checks its arguments here before it draws, so
that a wrong frame or language fails with a message that names the fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

import geopandas as gpd
import pandas as pd

from mapping.errors import ConfigurationError, ValidationError

__all__ = [
    "CATEGORY_COLUMNS",
    "DEFAULT_LABELS",
    "DISTRICT_COLUMNS",
    "RESOURCE_COLUMNS",
    "SUPPORTED_LANGS",
    "check_frame",
    "is_true",
    "labels_for",
]

#: Languages with category names in the frames (``name_pl``, ``name_en``).
SUPPORTED_LANGS: Final = ("pl", "en")

#: UI strings by language; the web app passes its own translations through ``labels``.
DEFAULT_LABELS: Final = MappingProxyType(
    {
        "en": MappingProxyType(
            {
                "districts": "Districts",
                "legend": "Legend",
                "schematic_note": "Schematic boundaries, not official",
                "category": "Category",
                "address": "Address",
                "operator": "Operator",
                "website": "Website",
            }
        ),
        "pl": MappingProxyType(
            {
                "districts": "Dzielnice",
                "legend": "Legenda",
                "schematic_note": "Granice schematyczne, nieoficjalne",
                "category": "Kategoria",
                "address": "Adres",
                "operator": "Podmiot prowadzący",
                "website": "Strona internetowa",
            }
        ),
    }
)

#: The columns of each frame that the maps use.
DISTRICT_COLUMNS: Final = ("name", "schematic", "geometry")
RESOURCE_COLUMNS: Final = ("name", "category", "address", "operator", "website", "geometry")
CATEGORY_COLUMNS: Final = ("code", "name_pl", "name_en", "colour")


def check_frame(frame: object, columns: tuple[str, ...], *, name: str, geo: bool) -> None:
    """Raise :class:`ValidationError` unless ``frame`` is a (Geo)DataFrame with ``columns``."""
    expected_type = gpd.GeoDataFrame if geo else pd.DataFrame
    if not isinstance(frame, expected_type):
        raise ValidationError(
            f"expected {name} as a {expected_type.__name__}, got {type(frame).__name__}; "
            "see mapping.frames for the columns"
        )
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValidationError(
            f"expected {name} with the columns {', '.join(columns)}, got none named "
            f"{', '.join(missing)}; see mapping.frames for the frame contracts"
        )


def labels_for(lang: str, labels: Mapping[str, str] | None) -> dict[str, str]:
    """The UI strings of ``lang`` (:data:`DEFAULT_LABELS`) overridden by ``labels``."""
    if lang not in SUPPORTED_LANGS:
        raise ConfigurationError(
            f"expected a map language among {', '.join(SUPPORTED_LANGS)}, got {lang!r}"
        )
    merged = dict(DEFAULT_LABELS[lang])
    if labels:
        merged.update(labels)
    return merged


def is_true(value: object) -> bool:
    """A frame cell as a flag: missing (None, NaN, NA) is False."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return False
    return bool(value)
