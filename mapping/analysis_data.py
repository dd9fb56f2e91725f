"""Every frame the analyses read, loaded once (:mod:`mapping.analysis` re-exports it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from mapping.errors import NotFoundError, ValidationError
from mapping.indicators import IndicatorRegistry

if TYPE_CHECKING:
    from mapping.db.store import Bind
    from mapping.network import WalkingNetwork

__all__ = ["AnalysisData"]


@dataclass(frozen=True)
class AnalysisData:
    """Every frame the analyses read (see :mod:`mapping.frames`)."""

    districts: gpd.GeoDataFrame
    resources: gpd.GeoDataFrame
    categories: pd.DataFrame
    registry: IndicatorRegistry
    values: pd.DataFrame
    #: Which data this is (the live data's version, or an edition and its digest), for the
    #: ``meta`` of outputs (:func:`mapping.method.method_meta`); None when not known.
    version: str | None = field(default=None, compare=False)
    #: Population surfaces (``year``, ``lon``, ``lat``, ``population``; :mod:`mapping.population`);
    #: None (an edition published before surfaces were frozen) measures access from the
    #: residents on a grid.
    population: pd.DataFrame | None = field(default=None, compare=False)
    #: Residential areas (a ``geometry`` column in EPSG:4326) the grid of residents is limited to
    #: (dasymetric, :mod:`mapping.population`); None or empty: each district's whole area.
    residential: gpd.GeoDataFrame | None = field(default=None, compare=False)
    #: The walking network access is measured along (:mod:`mapping.network`); None (none
    #: imported, or an edition, which freezes none) measures straight x the detour factor.
    network: WalkingNetwork | None = field(default=None, compare=False)

    @classmethod
    def from_store(cls, bind: Bind) -> AnalysisData:
        """Load everything from a palmap database (an Engine or a Connection)."""
        from mapping.db import network, population, residential, store

        store.require_schema(bind)
        return cls(
            districts=store.load_districts(bind),
            resources=store.load_resources(bind),
            categories=store.load_categories(bind),
            registry=IndicatorRegistry(store.load_indicators(bind)),
            values=store.load_indicator_values(bind),
            version=f"live data, version {store.data_version(bind)}",
            population=population.load_population(bind),
            residential=residential.load_residential(bind),
            network=network.load_network(bind),
        )

    @classmethod
    def from_edition(cls, bind: Bind, code: str) -> AnalysisData:
        """Load the frozen data of the published edition ``code`` (:mod:`mapping.editions`)."""
        from mapping.db import editions

        edition, parts = editions.load_parts(bind, code)
        return cls.from_parts(parts, version=f"edition {edition.code}, digest {edition.digest}")

    @classmethod
    def from_parts(
        cls, parts: dict[str, pd.DataFrame], *, version: str | None = None
    ) -> AnalysisData:
        """The frozen frames of an edition (:func:`mapping.db.editions.load_parts`): with its
        population surfaces and residential areas when it froze them (editions published
        before then have none, and measure access as they did then)."""
        residential = parts.get("residential")
        return cls(
            districts=parts["districts"],
            resources=parts["resources"],
            categories=parts["categories"],
            registry=IndicatorRegistry(parts["indicators"]),
            values=parts["values"],
            version=version,
            population=parts.get("population"),
            residential=None if residential is None else gpd.GeoDataFrame(residential),
        )

    @property
    def years(self) -> list[int]:
        """Years with at least one indicator value, ascending."""
        return sorted(int(y) for y in self.values["year"].unique())

    def require_year(self, year: int) -> int:
        """Return ``year`` if it has data, else raise NotFoundError listing the years that do."""
        if int(year) not in self.years:
            known = ", ".join(map(str, self.years)) or "none (import indicator values first)"
            raise NotFoundError(f"expected a year with data, got {year}; years with data: {known}")
        return int(year)

    def require_category(self, code: str | None) -> str | None:
        """Return ``code`` if it is a known category (or None), else raise NotFoundError."""
        known = list(self.categories["code"])
        if code is not None and code not in known:
            raise NotFoundError(
                f"expected a resource category code, got {code!r}; known: {', '.join(known)}"
            )
        return code

    def indicator_for_year(self, code: str, year: int) -> pd.Series:
        """Values of one indicator for one year per district; every district must have one."""
        self.registry[code]  # NotFoundError listing the known codes
        year = self.require_year(year)
        rows = self.values[(self.values["indicator"] == code) & (self.values["year"] == year)]
        series = rows.set_index("district_code")["value"]
        missing = sorted(set(self.districts["code"]) - set(series.dropna().index))
        if missing:
            raise ValidationError(
                f"expected {code} for every district in {year}, got none for "
                f"{', '.join(missing)}; import {code} values for those districts"
            )
        return series

    def needs_codes(self) -> list[str]:
        """Indicators of need: those where a larger value means more need."""
        return [c for c in self.registry.codes if self.registry[c].higher_is_more_need]

    def with_names(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with ``district_name`` inserted after ``district_code``."""
        names = dict(zip(self.districts["code"], self.districts["name"], strict=True))
        frame = frame.copy()
        position = list(frame.columns).index("district_code") + 1
        frame.insert(position, "district_name", frame["district_code"].map(names))
        return frame
