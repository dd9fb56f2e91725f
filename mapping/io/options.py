"""The choices a user makes for one import, as one object: :class:`ImportOptions`.

The CLI builds it from its flags, a web upload will build it from its form, and the core
(:func:`mapping.io.flow.run_import` and the builders under it) reads it; nothing passes the field
choices one by one. :data:`OPTION_LABELS` names each option in words that fit both a command line
and a form, for messages.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, fields
from typing import Literal

from mapping.errors import ValidationError

__all__ = ["DEFAULT_OPTIONS", "OPTION_LABELS", "ImportOptions", "Layout", "OptionsError"]

Layout = Literal["long", "wide_indicators", "wide_years"]
LAYOUTS: tuple[str, ...] = ("long", "wide_indicators", "wide_years")

#: What each option is called in messages (the CLI may add its flag, a form its label).
OPTION_LABELS: dict[str, str] = {
    "layer": "the layer or sheet",
    "crs": "the coordinate reference system (CRS)",
    "name_field": "the name column",
    "category_field": "the category column",
    "address_field": "the address column",
    "district_field": "the district column",
    "external_id_field": "the identifier column",
    "lat_field": "the latitude column",
    "lon_field": "the longitude column",
    "x_field": "the X column",
    "y_field": "the Y column",
    "code_field": "the code column",
    "wkt_field": "the WKT geometry column",
    "default_category": "the default category",
    "layout": "the layout (long, one column per indicator, or one column per year)",
    "year": "the year",
    "indicator": "the indicator",
    "population_field": "the population column",
    "skip_invalid": "skip invalid rows",
    "dry_run": "dry run",
    "replace": "replace the layer",
}


class OptionsError(ValidationError):
    """Options that do not go together or name something unknown (CLI: usage error, exit 2).

    Attributes
    ----------
    option
        The option at fault (a field of :class:`ImportOptions`), so that an adapter can point at
        its own flag or form field.
    """

    def __init__(self, message: str, *, option: str) -> None:
        super().__init__(message)
        self.option = option


@dataclass(frozen=True)
class ImportOptions:
    """Everything a user chooses about one import besides the file itself.

    Column choices (``*_field``) name a column of the file to use instead of the recognised one;
    None means "recognise it by its name" (:func:`mapping.io.matching.canonical_columns`).

    Attributes
    ----------
    layer
        Layer of a GeoPackage or zipped Shapefile, or sheet of an XLSX workbook.
    crs
        CRS of coordinates when the file names none (``"EPSG:2180"``, ``"2180"``); detected when
        None.
    name_field, category_field, address_field, district_field, external_id_field
        Resource columns (``name_field`` and ``code_field`` also for districts).
    lat_field, lon_field, x_field, y_field, wkt_field
        Coordinate columns of a table: a lat/lon pair, an X/Y pair, or WKT points.
    code_field
        District codes; without it the codes are ASCII slugs of the names.
    default_category
        Category code for resources whose category is empty or unknown (a warning each).
    layout
        Indicator values: ``long`` (district, year, indicator, value), ``wide_indicators`` (one
        column per indicator, for ``year``) or ``wide_years`` (one column per year, for
        ``indicator``).
    year, indicator
        The year of a ``wide_indicators`` file (and of a population surface), the indicator of
        a ``wide_years`` file.
    population_field
        The population column of a population surface (:mod:`mapping.io.population`).
    skip_invalid
        Load the valid rows and report the rest, instead of refusing the whole file.
    dry_run
        Validate and report; write nothing.
    replace
        Replace the layer instead of updating it.

    Examples
    --------
    >>> options = ImportOptions(lat_field="N", lon_field="E", dry_run=True)
    >>> options.resource_fields()["lat"], options.dry_run
    ('N', True)
    >>> ImportOptions(lat_field="N").check("resources")
    Traceback (most recent call last):
    ...
    mapping.io.options.OptionsError: expected the latitude column together with the longitude \
column, got only one; choose both or neither
    """

    layer: str | None = None
    crs: str | None = None
    name_field: str | None = None
    category_field: str | None = None
    address_field: str | None = None
    district_field: str | None = None
    external_id_field: str | None = None
    lat_field: str | None = None
    lon_field: str | None = None
    x_field: str | None = None
    y_field: str | None = None
    code_field: str | None = None
    wkt_field: str | None = None
    default_category: str | None = None
    layout: Layout = "long"
    year: int | None = None
    indicator: str | None = None
    population_field: str | None = None
    skip_invalid: bool = False
    dry_run: bool = False
    replace: bool = False

    def resource_fields(self) -> dict[str, str | None]:
        """Canonical resource field to the column chosen for it (None: recognise by name)."""
        return {
            "name": self.name_field,
            "category": self.category_field,
            "address": self.address_field,
            "district": self.district_field,
            "external_id": self.external_id_field,
            "lat": self.lat_field,
            "lon": self.lon_field,
            "x": self.x_field,
            "y": self.y_field,
            "wkt": self.wkt_field,
        }

    def given(self) -> dict[str, object]:
        """The options that differ from the defaults (for a report or a log line).

        Examples
        --------
        >>> ImportOptions(crs="2180", dry_run=True).given()
        {'crs': '2180', 'dry_run': True}
        """
        defaults = ImportOptions()
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if getattr(self, f.name) != getattr(defaults, f.name)
        }

    def check(self, kind: str, *, categories: Collection[str] | None = None) -> None:
        """Refuse options that do not go together for ``kind`` (or an unknown default category).

        Raises
        ------
        OptionsError
            Naming the option and the fix.
        """
        if kind == "resources":
            self._check_coordinates()
            if (
                categories is not None
                and self.default_category is not None
                and self.default_category not in categories
            ):
                raise OptionsError(
                    f"expected the default category to be a known category code, got "
                    f"{self.default_category!r}; use one of {', '.join(categories)}",
                    option="default_category",
                )
        elif kind == "indicators":
            self._check_layout()

    def _check_coordinates(self) -> None:
        for first, second in (("lat_field", "lon_field"), ("x_field", "y_field")):
            if (getattr(self, first) is None) != (getattr(self, second) is None):
                given = first if getattr(self, first) is not None else second
                raise OptionsError(
                    f"expected {OPTION_LABELS[first]} together with {OPTION_LABELS[second]}, got "
                    "only one; choose both or neither",
                    option=given,
                )
        if self.lat_field is not None and self.x_field is not None:
            raise OptionsError(
                "expected either the latitude and longitude columns or the X and Y columns, got "
                "both; choose one pair",
                option="x_field",
            )

    def _check_layout(self) -> None:
        if self.layout not in LAYOUTS:
            raise OptionsError(
                f"expected a layout in {', '.join(LAYOUTS)}, got {self.layout!r}; choose one",
                option="layout",
            )
        if self.layout == "wide_indicators" and self.year is None:
            raise OptionsError(
                "expected the year of a file with one column per indicator, got none; give the "
                "year the values are for",
                option="year",
            )
        if self.layout == "wide_years" and not self.indicator:
            raise OptionsError(
                "expected the indicator of a file with one column per year, got none; give the "
                "indicator the columns hold",
                option="indicator",
            )


#: No choices: every column recognised by its name, everything checked, nothing skipped.
DEFAULT_OPTIONS = ImportOptions()
