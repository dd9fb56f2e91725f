"""The overview (``/``): every district and every resource with a point."""

from __future__ import annotations

from dataclasses import dataclass

from mapping.pages.data import PageData


@dataclass(frozen=True)
class OverviewPage:
    """The counts under the overview map."""

    district_count: int
    resource_count: int
    unplaced_count: int
    schematic: bool


def build_overview(data: PageData) -> OverviewPage:
    """Counts of districts, resources and resources without a point."""
    resources = data.analysis.resources
    return OverviewPage(
        district_count=len(data.analysis.districts),
        resource_count=len(resources),
        unplaced_count=int(resources.geometry.isna().sum()),
        schematic=data.schematic,
    )
