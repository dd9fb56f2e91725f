"""Load a demo data folder (districts, resources, indicators) into palmap's frames.

A demo folder holds four files, written by ``data/demo/generate.py`` for Wałbrzych:

``districts.geojson``
    RFC 7946 FeatureCollection; properties ``code``, ``name``, ``source``, ``schematic``.
``resources.csv``
    UTF-8, comma-separated, header :data:`mapping.frames.RESOURCE_FILE_COLUMNS`
    (``external_id,name,category,address,district_code,lat,lon,capacity,operator,phone,website,
    opening_hours,description,source,synthetic``).
``indicators.csv``
    ``code,name_pl,name_en,unit,higher_is_more_need,denominator,description,source``.
``indicator_values.csv``
    ``district_code,indicator,year,value``.
``partnerships.csv``, ``actions.csv`` (optional)
    The programme's partnerships and actions, in the layout ``palmap import partnerships`` and
    ``palmap import actions`` read (:mod:`mapping.io.programme`).
``surveys.csv`` (optional)
    Survey counts of the actions, in the layout of counts ``palmap import surveys`` reads
    (:mod:`mapping.io.surveys`).

The frames returned follow :mod:`mapping.frames`. Nothing here is specific to one city.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from shapely import MultiPolygon, Point, Polygon

from mapping.crs import WEB_CRS
from mapping.db import Engine, audit, store
from mapping.db import programme as programme_store
from mapping.db import surveys as survey_store
from mapping.db.base import SaveResult
from mapping.demo_units import load_demo_units, save_demo_units
from mapping.errors import CRSError, ValidationError
from mapping.frames import (
    DISTRICT_COLUMNS,
    INDICATOR_COLUMNS,
    INDICATOR_VALUE_COLUMNS,
    RESOURCE_COLUMNS,
    RESOURCE_FILE_COLUMNS,
)
from mapping.indicators.registry import check_domain
from mapping.io.programme import read_actions, read_partnerships
from mapping.io.report import ImportReport
from mapping.io.surveys import read_surveys
from mapping.programme import Action, Partnership

__all__ = ["DemoData", "load_demo_frames"]

DISTRICTS_FILE = "districts.geojson"
RESOURCES_FILE = "resources.csv"
INDICATORS_FILE = "indicators.csv"
INDICATOR_VALUES_FILE = "indicator_values.csv"
PARTNERSHIPS_FILE = "partnerships.csv"
ACTIONS_FILE = "actions.csv"
SURVEYS_FILE = "surveys.csv"

_RESOURCE_TEXT = (
    "address",
    "district_code",
    "operator",
    "phone",
    "website",
    "opening_hours",
    "description",
    "source",
)
_INDICATOR_REQUIRED = ("code", "name_pl", "name_en", "unit", "higher_is_more_need")
_INDICATOR_TEXT = ("denominator", "description", "source", "domain")
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})
# Names a GeoJSON "crs" member (pre-RFC 7946) may carry that still mean longitude, latitude.
_LONLAT_CRS_NAMES = frozenset(
    {"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "EPSG:4326"}
)


@dataclass(frozen=True, eq=False)
class DemoData:
    """The four frames of a demo folder, shaped as :mod:`mapping.frames` describes.

    Attributes
    ----------
    districts
        GeoDataFrame (EPSG:4326) with ``DISTRICT_COLUMNS``; ``id`` is <NA> (Int64) until saved.
    resources
        GeoDataFrame (EPSG:4326) with ``RESOURCE_COLUMNS``; ``geometry`` is None for rows
        without coordinates, ``capacity`` nullable Int64, ``synthetic`` bool.
    indicators
        DataFrame with ``INDICATOR_COLUMNS``; ``higher_is_more_need`` bool, empty text None.
    indicator_values
        DataFrame with ``INDICATOR_VALUE_COLUMNS``; ``year`` int, ``value`` float.
    """

    districts: gpd.GeoDataFrame
    resources: gpd.GeoDataFrame
    indicators: pd.DataFrame
    indicator_values: pd.DataFrame


def load_demo_frames(folder: Path) -> DemoData:
    """Read the four files of a demo folder into validated frames.

    Parameters
    ----------
    folder
        Folder holding ``districts.geojson``, ``resources.csv``, ``indicators.csv`` and
        ``indicator_values.csv``.

    Returns
    -------
    DemoData
        The districts, resources, indicators and indicator values.

    Raises
    ------
    ValidationError
        If a file is missing or unreadable, a column is missing, a required field is empty, a
        value cannot be parsed, a code repeats or a row refers to an unknown district or
        indicator. The message names the file, the row (line) and the field.
    CRSError
        If the GeoJSON declares a CRS other than longitude/latitude WGS 84.

    Examples
    --------
    >>> from pathlib import Path
    >>> demo = load_demo_frames(Path("data/demo"))  # doctest: +SKIP
    >>> demo.districts.crs.to_epsg(), len(demo.districts)  # doctest: +SKIP
    (4326, 21)
    """
    folder = Path(folder)
    districts = _read_districts(folder / DISTRICTS_FILE)
    known_districts = set(districts["code"])
    indicators = _read_indicators(folder / INDICATORS_FILE)
    resources = _read_resources(folder / RESOURCES_FILE, known_districts)
    values = _read_indicator_values(
        folder / INDICATOR_VALUES_FILE, known_districts, set(indicators["code"])
    )
    return DemoData(
        districts=districts, resources=resources, indicators=indicators, indicator_values=values
    )


# ---------------------------------------------------------------------------------------------
# Districts


def _read_districts(path: Path) -> gpd.GeoDataFrame:
    document = _load_json(path)
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        kind = document.get("type") if isinstance(document, dict) else type(document).__name__
        raise ValidationError(
            f"{path.name}: expected a GeoJSON FeatureCollection, got {kind!r}; "
            "export the districts as GeoJSON"
        )
    crs = document.get("crs")
    if crs is not None:
        crs_name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
        if crs_name not in _LONLAT_CRS_NAMES:
            raise CRSError(
                f"{path.name}: expected longitude/latitude (WGS 84, RFC 7946), got crs "
                f"{crs_name or crs!r}; reproject the file to EPSG:4326"
            )
    features = document.get("features")
    if not isinstance(features, list):
        raise ValidationError(f"{path.name}: expected a list of features, got {features!r}")
    records: list[dict[str, Any]] = []
    for number, feature in enumerate(features, start=1):
        where = f"{path.name}, feature {number}"
        if not isinstance(feature, dict):
            raise ValidationError(f"{where}: expected a Feature object, got {feature!r}")
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            raise ValidationError(f"{where}: expected properties as an object, got {properties!r}")
        code = _required_text(properties.get("code"), where, "code")
        name = _required_text(properties.get("name"), where, "name")
        source = _optional_text(properties.get("source"), where, "source")
        schematic = properties.get("schematic", False)
        if not isinstance(schematic, bool):
            raise ValidationError(
                f"{where}, field 'schematic': expected true or false, got {schematic!r}"
            )
        records.append(
            {
                "code": code,
                "name": name,
                "source": source,
                "schematic": schematic,
                "geometry": _district_geometry(feature.get("geometry"), where),
            }
        )
    _check_unique([record["code"] for record in records], path.name, "feature", "code", first=1)
    frame = gpd.GeoDataFrame(
        {
            "id": pd.array([pd.NA] * len(records), dtype="Int64"),
            "code": _object_column(record["code"] for record in records),
            "name": _object_column(record["name"] for record in records),
            "source": _object_column(record["source"] for record in records),
            "schematic": pd.Series([record["schematic"] for record in records], dtype=bool),
        },
        geometry=gpd.GeoSeries([record["geometry"] for record in records], crs=WEB_CRS),
        crs=WEB_CRS,
    )
    return frame[list(DISTRICT_COLUMNS)]


def _district_geometry(geometry: object, where: str) -> MultiPolygon:
    if geometry is None:
        raise ValidationError(
            f"{where}, field 'geometry': expected a Polygon or MultiPolygon, got none"
        )
    try:
        shape = shapely.geometry.shape(geometry)
    except (AttributeError, KeyError, TypeError, ValueError, shapely.errors.GEOSException) as exc:
        raise ValidationError(
            f"{where}, field 'geometry': expected a GeoJSON geometry, got one that cannot be "
            f"read ({exc})"
        ) from exc
    if isinstance(shape, Polygon):
        shape = MultiPolygon([shape])
    if not isinstance(shape, MultiPolygon) or shape.is_empty:
        raise ValidationError(
            f"{where}, field 'geometry': expected a Polygon or MultiPolygon, got {shape.geom_type}"
        )
    if not shape.is_valid:
        raise ValidationError(
            f"{where}, field 'geometry': expected a valid polygon, got "
            f"{shapely.is_valid_reason(shape)}; repair it in a GIS (for example Fix geometries)"
        )
    return shape


def _load_json(path: Path) -> Any:
    text = _read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"{path.name}: expected JSON, got a syntax error at line {exc.lineno}: {exc.msg}"
        ) from exc


# ---------------------------------------------------------------------------------------------
# CSV files


def _read_text(path: Path) -> str:
    if not path.is_file():
        raise ValidationError(
            f"expected the file {path.name} in {path.parent}, found none; "
            "regenerate the demo folder or point to the right folder"
        )
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"{path.name}: expected UTF-8 text, got undecodable bytes at position {exc.start}; "
            "save the file as UTF-8"
        ) from exc


def _read_csv(path: Path, columns: Sequence[str]) -> pd.DataFrame:
    """Read every field as text (codes and ids stay strings); empty fields are ''."""
    _read_text(path)  # clear errors for a missing or non-UTF-8 file
    try:
        frame = pd.read_csv(
            path,
            sep=",",
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            encoding="utf-8-sig",
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ValidationError(f"{path.name}: expected comma-separated values, got {exc}") from exc
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValidationError(
            f"{path.name}: expected the columns {', '.join(columns)}, got no column "
            f"{missing[0]!r}; add it to the header"
        )
    return frame


def _line(index: int) -> int:
    """Return the file line of a data row (line 1 is the header)."""
    return index + 2


def _column(
    frame: pd.DataFrame,
    path: Path,
    field: str,
    parse: Callable[[str, str], Any],
) -> list[Any]:
    return [
        parse(value.strip(), f"{path.name}, line {_line(index)}, field {field!r}")
        for index, value in enumerate(frame[field])
    ]


def _required(value: str, where: str) -> str:
    if value == "":
        raise ValidationError(f"{where}: expected a value, got an empty field; fill it in")
    return value


def _required_text(value: object, where: str, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(
            f"{where}, field {field!r}: expected a non-empty text, got {value!r}; fill it in"
        )
    return value.strip()


def _optional_text(value: object, where: str, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(f"{where}, field {field!r}: expected text, got {value!r}")
    return value.strip() or None


def _text_or_none(value: str, where: str) -> str | None:
    return value or None


def _boolean(value: str, where: str) -> bool:
    lowered = _required(value, where).lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValidationError(f"{where}: expected true or false, got {value!r}")


def _integer_or_none(value: str, where: str) -> int | None:
    if value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        raise ValidationError(f"{where}: expected a whole number, got {value!r}") from None
    if number < 0:
        raise ValidationError(f"{where}: expected a number of 0 or more, got {number}")
    return number


def _year(value: str, where: str) -> int:
    try:
        return int(_required(value, where))
    except ValueError:
        raise ValidationError(f"{where}: expected a year such as 2021, got {value!r}") from None


def _number(value: str, where: str) -> float:
    try:
        number = float(_required(value, where))
    except ValueError:
        raise ValidationError(
            f"{where}: expected a number with a decimal point, got {value!r}"
        ) from None
    if not math.isfinite(number):
        raise ValidationError(f"{where}: expected a finite number, got {value!r}")
    return number


def _coordinate_or_none(value: str, where: str) -> float | None:
    return None if value == "" else _number(value, where)


def _object_column(values: Any) -> pd.Series:
    """A text column that keeps None (not NaN) for missing values."""
    return pd.Series(list(values), dtype=object)


def _check_unique(values: Sequence[Any], file: str, unit: str, field: str, *, first: int) -> None:
    seen: set[Any] = set()
    for offset, value in enumerate(values):
        if value in seen:
            raise ValidationError(
                f"{file}, {unit} {offset + first}, field {field!r}: expected unique values, "
                f"got {value!r} again; give every row its own {field}"
            )
        seen.add(value)


def _check_known(
    values: Sequence[str | None], known: set[str], path: Path, field: str, what: str
) -> None:
    for index, value in enumerate(values):
        if value is not None and value not in known:
            raise ValidationError(
                f"{path.name}, line {_line(index)}, field {field!r}: expected the code of a "
                f"{what}, got {value!r}; use one of {', '.join(sorted(known))}"
            )


def _read_resources(path: Path, known_districts: set[str]) -> gpd.GeoDataFrame:
    frame = _read_csv(path, RESOURCE_FILE_COLUMNS)
    required = {
        field: _column(frame, path, field, _required)
        for field in ("external_id", "name", "category")
    }
    text = {field: _column(frame, path, field, _text_or_none) for field in _RESOURCE_TEXT}
    synthetic = _column(frame, path, "synthetic", _boolean)
    capacity = _column(frame, path, "capacity", _integer_or_none)
    lats = _column(frame, path, "lat", _coordinate_or_none)
    lons = _column(frame, path, "lon", _coordinate_or_none)
    points: list[Point | None] = []
    for index, (lat, lon) in enumerate(zip(lats, lons, strict=True)):
        where = f"{path.name}, line {_line(index)}"
        if (lat is None) != (lon is None):
            field = "lon" if lon is None else "lat"
            raise ValidationError(
                f"{where}, field {field!r}: expected both lat and lon or neither, got only one"
            )
        if lat is None or lon is None:
            points.append(None)
            continue
        if not -90 <= lat <= 90:
            raise ValidationError(f"{where}, field 'lat': expected -90 to 90, got {lat}")
        if not -180 <= lon <= 180:
            raise ValidationError(f"{where}, field 'lon': expected -180 to 180, got {lon}")
        points.append(Point(lon, lat))
    _check_unique(required["external_id"], path.name, "line", "external_id", first=2)
    _check_known(text["district_code"], known_districts, path, "district_code", "district")
    count = len(frame)
    resources = gpd.GeoDataFrame(
        {
            "id": pd.array([pd.NA] * count, dtype="Int64"),
            "external_id": _object_column(required["external_id"]),
            "name": _object_column(required["name"]),
            "category": _object_column(required["category"]),
            "address": _object_column(text["address"]),
            "district_code": _object_column(text["district_code"]),
            "capacity": pd.array(capacity, dtype="Int64"),
            "operator": _object_column(text["operator"]),
            "phone": _object_column(text["phone"]),
            "website": _object_column(text["website"]),
            "opening_hours": _object_column(text["opening_hours"]),
            "description": _object_column(text["description"]),
            "source": _object_column(text["source"]),
            "synthetic": pd.Series(synthetic, dtype=bool),
            "updated_at": _object_column([None] * count),
        },
        geometry=gpd.GeoSeries(points, crs=WEB_CRS),
        crs=WEB_CRS,
    )
    return resources[list(RESOURCE_COLUMNS)]


def _read_indicators(path: Path) -> pd.DataFrame:
    frame = _read_csv(path, INDICATOR_COLUMNS)
    columns: dict[str, Any] = {}
    for field in _INDICATOR_REQUIRED:
        if field == "higher_is_more_need":
            columns[field] = pd.Series(_column(frame, path, field, _boolean), dtype=bool)
        else:
            parsed = _column(frame, path, field, _required)
            columns[field] = _object_column(parsed)
    for field in _INDICATOR_TEXT:
        columns[field] = _object_column(_column(frame, path, field, _text_or_none))
    for code, domain in zip(columns["code"], columns["domain"], strict=True):
        check_domain(domain, code=code)
    _check_unique(list(columns["code"]), path.name, "line", "code", first=2)
    codes = set(columns["code"])
    _check_known(list(columns["denominator"]), codes, path, "denominator", "indicator")
    return pd.DataFrame(columns)[list(INDICATOR_COLUMNS)]


def _read_indicator_values(
    path: Path, known_districts: set[str], known_indicators: set[str]
) -> pd.DataFrame:
    frame = _read_csv(path, INDICATOR_VALUE_COLUMNS)
    district_codes = _column(frame, path, "district_code", _required)
    indicators = _column(frame, path, "indicator", _required)
    _check_known(district_codes, known_districts, path, "district_code", "district")
    _check_known(indicators, known_indicators, path, "indicator", "indicator")
    values = pd.DataFrame(
        {
            "district_code": _object_column(district_codes),
            "indicator": _object_column(indicators),
            "year": pd.Series(_column(frame, path, "year", _year), dtype="int64"),
            "value": pd.Series(_column(frame, path, "value", _number), dtype="float64"),
        }
    )
    return values[list(INDICATOR_VALUE_COLUMNS)]


def load_demo(
    engine: Engine,
    folder: Path,
    *,
    wait: store.Wait = store.DEFAULT_WAIT,
    actor: str | None = None,
) -> dict[str, SaveResult]:
    """Read the demo files in ``folder`` and save them in one transaction.

    Loading twice changes nothing (the saves are upserts on natural keys). Returns the save result
    per table: ``districts``, ``resources``, ``indicators``, ``indicator values``. The transaction
    holds palmap's write lock; ``wait`` says how long to wait for a running import. With
    ``actor`` (the command), the audit log gets, in the same transaction, one entry per table
    that changed (its counts) and the changed fields the saves list.
    """
    data = load_demo_frames(folder)
    partnerships, actions = load_demo_programme(folder, data.districts)
    with store.write_transaction(engine, what="load-demo", wait=wait) as conn:
        results = {
            "districts": store.save_districts(conn, data.districts),
            "resources": store.save_resources(conn, data.resources),
            "indicators": store.save_indicators(conn, data.indicators),
            "indicator values": store.save_indicator_values(conn, data.indicator_values),
        }
        if partnerships or actions:
            results["partnerships"] = programme_store.save_partnerships(
                conn, partnerships, actor=actor, how="cli"
            )
            results["actions"] = programme_store.save_actions(conn, actions, actor=actor, how="cli")
        if (Path(folder) / SURVEYS_FILE).is_file():
            counts, report = read_surveys(
                _read_bytes(Path(folder) / SURVEYS_FILE),
                filename=SURVEYS_FILE,
                districts=data.districts,
                actions=[a.code for a in actions],
            )
            _require_no_errors(report)
            results["surveys"] = survey_store.save_counts(conn, counts, actor=actor, how="cli")
        if units := load_demo_units(folder):  # categories.csv: capacity units
            results["categories"] = save_demo_units(conn, units)
        if actor is not None:
            audit.record(conn, _demo_changes(folder, results), actor=actor, how="cli")
        return results


def _demo_changes(folder: Path, results: dict[str, SaveResult]) -> list[audit.Change]:
    changes: list[audit.Change] = []
    for table, saved in results.items():
        if saved.inserted or saved.updated:
            counts = {"loaded": saved.inserted, "updated": saved.updated}
            changes.append(audit.Change(table, f"load-demo:{folder.name}", None, None, counts))
        changes.extend(saved.changes)
    return changes


def load_demo_programme(
    folder: Path, districts: pd.DataFrame
) -> tuple[list[Partnership], list[Action]]:
    """The partnerships and actions of a demo folder (none when its files are absent).

    Raises
    ------
    ValidationError
        For a row with an error (the message names the file, the row, the field and the fix).
    """
    folder = Path(folder)
    partnerships: list[Partnership] = []
    actions: list[Action] = []
    if (folder / PARTNERSHIPS_FILE).is_file():
        partnerships, report = read_partnerships(
            _read_bytes(folder / PARTNERSHIPS_FILE), filename=PARTNERSHIPS_FILE
        )
        _require_no_errors(report)
    if (folder / ACTIONS_FILE).is_file():
        actions, report = read_actions(
            _read_bytes(folder / ACTIONS_FILE),
            filename=ACTIONS_FILE,
            districts=districts,
            partnerships=[p.code for p in partnerships],
        )
        _require_no_errors(report)
    return partnerships, actions


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"{path}: expected a readable file, got {exc}") from exc


def _require_no_errors(report: ImportReport) -> None:
    errors = report.errors()
    if errors:
        raise ValidationError(
            f"{report.source}: " + "; ".join(e.message(report.unit) for e in errors)
        )
