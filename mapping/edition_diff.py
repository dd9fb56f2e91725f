"""What changed between two editions: districts, resources and indicator values.

:func:`diff_editions` compares the frozen data of two editions (or an edition and the live data):
districts added, removed, renamed or redrawn; resources added, removed, moved (with the distance)
or changed (with the fields); indicator values added, removed or changed.

When district boundaries changed between the two, a count of the earlier edition is not a count
of the later district: :func:`carry_counts` estimates the earlier counts on the later districts
by areal weighting (pysal ``tobler``: each earlier district's count is shared among the later
districts in proportion to the area they take of it). The totals are kept; every value
estimated so is flagged ``estimated`` on the pages and in the files, because it assumes that
people are spread evenly inside each earlier district.

A changed value of a count of people gets the comparison page's chance status (``status``:
``improved``, ``worsened`` or ``no_clear_change``, with its ``p_value``): the rates per 1,000
of its denominator in each edition (``rate_before``, ``rate_after``; the counts themselves for
an indicator without a denominator) are judged by
:func:`mapping.indicators.change.rate_change_p_value` and
:func:`mapping.indicators.change.change_status`, the same test as the comparison maps. A value
that is not a count of people (a share, an index) has no status.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from mapping.analysis import AnalysisData
from mapping.crs import to_metric
from mapping.indicators.change import change_status, rate_change_p_value
from mapping.indicators.registry import IndicatorRegistry
from mapping.privacy import counts_people

__all__ = [
    "EditionDiff",
    "carried_values",
    "carry_counts",
    "diff_editions",
    "redrawn_districts",
]

#: A point that moved less than this (metres) did not move (rounding of coordinates).
MOVED_M = 1.0
#: A boundary whose symmetric difference with the earlier one is below this share of its area
#: was not redrawn (simplification and rounding).
REDRAWN_SHARE = 0.001
#: Resource fields compared (the id is the match; ``updated_at`` changes with every save).
RESOURCE_FIELDS: tuple[str, ...] = (
    "name",
    "category",
    "address",
    "district_code",
    "capacity",
    "operator",
    "phone",
    "website",
    "opening_hours",
    "description",
    "source",
)


@dataclass(frozen=True)
class EditionDiff:
    """The changes, one frame each (``change`` says what happened to the row)."""

    districts: pd.DataFrame
    resources: pd.DataFrame
    values: pd.DataFrame

    @property
    def estimated(self) -> bool:
        """Whether any earlier value is an areal-weighting estimate (boundaries changed)."""
        return bool(self.values["estimated"].any()) if len(self.values) else False


def _same(a: object, b: object) -> bool:
    missing_a, missing_b = a is None or a is pd.NA or a != a, b is None or b is pd.NA or b != b
    if missing_a or missing_b:
        return bool(missing_a and missing_b)
    return bool(a == b)


def redrawn_districts(before: gpd.GeoDataFrame, after: gpd.GeoDataFrame) -> set[str]:
    """Codes in both whose boundary changed (by more than :data:`REDRAWN_SHARE` of its area)."""
    old = to_metric(before, name="districts").set_index("code").geometry
    new = to_metric(after, name="districts").set_index("code").geometry
    redrawn = set()
    for code in sorted(set(old.index) & set(new.index)):
        a, b = old.loc[code], new.loc[code]
        if a.symmetric_difference(b).area > REDRAWN_SHARE * max(b.area, 1.0):
            redrawn.add(str(code))
    return redrawn


def _district_changes(before: gpd.GeoDataFrame, after: gpd.GeoDataFrame) -> pd.DataFrame:
    old, new = before.set_index("code"), after.set_index("code")
    redrawn = redrawn_districts(before, after)
    rows = []
    for code in sorted(set(old.index) | set(new.index)):
        name_before = old.loc[code, "name"] if code in old.index else None
        name_after = new.loc[code, "name"] if code in new.index else None
        if name_before is None:
            change = "added"
        elif name_after is None:
            change = "removed"
        elif code in redrawn:
            change = "redrawn"
        elif name_before != name_after:
            change = "renamed"
        else:
            continue
        rows.append((code, name_before, name_after, change))
    return pd.DataFrame(rows, columns=["code", "name_before", "name_after", "change"])


def _resource_changes(before: gpd.GeoDataFrame, after: gpd.GeoDataFrame) -> pd.DataFrame:
    columns = ["id", "name", "category", "change", "fields", "moved_m"]
    old, new = before.set_index("id"), after.set_index("id")
    old_m = to_metric(before, name="resources").set_index("id").geometry
    new_m = to_metric(after, name="resources").set_index("id").geometry
    rows: list[tuple[object, ...]] = []
    for rid in sorted(set(old.index) | set(new.index)):
        if rid not in old.index:
            rows.append((rid, new.loc[rid, "name"], new.loc[rid, "category"], "added", "", None))
            continue
        if rid not in new.index:
            rows.append((rid, old.loc[rid, "name"], old.loc[rid, "category"], "removed", "", None))
            continue
        fields = [f for f in RESOURCE_FIELDS if not _same(old.loc[rid, f], new.loc[rid, f])]
        a, b = old_m.loc[rid], new_m.loc[rid]
        moved: float | None = None
        if (a is None or a.is_empty) != (b is None or b.is_empty):
            moved = float("nan")  # a point added or taken away
        elif a is not None and not a.is_empty and a.distance(b) >= MOVED_M:
            moved = round(float(a.distance(b)), 1)
        if moved is None and not fields:
            continue
        change = "moved" if moved is not None else "changed"
        name, category = new.loc[rid, "name"], new.loc[rid, "category"]
        rows.append((rid, name, category, change, ", ".join(fields), moved))
    return pd.DataFrame(rows, columns=columns)


def carry_counts(
    districts_before: gpd.GeoDataFrame,
    values_before: pd.DataFrame,
    districts_after: gpd.GeoDataFrame,
) -> pd.DataFrame:
    """The earlier counts estimated on the later districts by areal weighting (tobler).

    ``values_before`` is long (``district_code``, ``indicator``, ``year``, ``value``); the
    answer is the same columns on the codes of ``districts_after``. A count is shared in
    proportion to area, so the sum over the later districts equals the sum over the earlier
    ones wherever the later districts cover the earlier ones.
    """
    from tobler.area_weighted import area_interpolate  # heavy: imported when used

    columns = ["district_code", "indicator", "year", "value"]
    if not len(values_before):
        return pd.DataFrame(columns=columns)
    wide = values_before.pivot_table(
        index="district_code", columns=["indicator", "year"], values="value", aggfunc="sum"
    )
    names = [f"v{i}" for i in range(wide.shape[1])]
    keys = list(wide.columns)
    source = to_metric(districts_before, name="districts")[["code", "geometry"]]
    source = source.merge(
        pd.DataFrame(wide.to_numpy(), index=wide.index, columns=names),
        left_on="code",
        right_index=True,
        how="left",
    ).fillna(dict.fromkeys(names, 0.0))
    target = to_metric(districts_after, name="districts")[["code", "geometry"]]
    estimated = area_interpolate(source, target, extensive_variables=names)
    estimated["district_code"] = target["code"].to_numpy()
    # A cell with no earlier value anywhere stays missing (not a zero).
    present = {name: bool(wide[key].notna().any()) for name, key in zip(names, keys, strict=True)}
    rows = []
    for name, (indicator, year) in zip(names, keys, strict=True):
        if not present[name]:
            continue
        for code, value in zip(estimated["district_code"], estimated[name], strict=True):
            rows.append((str(code), str(indicator), int(year), float(value)))
    return pd.DataFrame(rows, columns=columns)


def carried_values(
    before: AnalysisData, after: AnalysisData
) -> tuple[pd.DataFrame, frozenset[str]]:
    """The earlier edition's values on the later edition's districts, and which are estimates.

    A district of ``after`` whose boundary is the same in ``before`` keeps its earlier values;
    a redrawn or new one gets the earlier counts carried by areal weighting
    (:func:`carry_counts`; counts of people only: a share or an index cannot be shared by area
    and is left missing there), and its code is in the answer's set of estimated districts. Returns
    the long values frame (``district_code``, ``indicator``, ``year``, ``value``) and that set
    (empty when no boundary changed).
    """
    redrawn = redrawn_districts(before.districts, after.districts)
    old_codes, new_codes = set(before.districts["code"]), set(after.districts["code"])
    old = before.values[["district_code", "indicator", "year", "value"]]
    if not redrawn and old_codes == new_codes:
        return old.reset_index(drop=True), frozenset()
    # Only counts of people can be shared by area; a share or an index of a redrawn district
    # has no earlier value (missing, not a guess).
    counts = [item.code for item in before.registry if counts_people(item)]
    carried = carry_counts(before.districts, old[old["indicator"].isin(counts)], after.districts)
    estimated = frozenset(str(c) for c in new_codes if c in redrawn or c not in old_codes)
    keep = old[~old["district_code"].isin(estimated) & old["district_code"].isin(new_codes)]
    guess = carried[carried["district_code"].isin(estimated)]
    return pd.concat([keep, guess], ignore_index=True), estimated


#: The columns of :attr:`EditionDiff.values`.
VALUE_COLUMNS: tuple[str, ...] = (
    "district_code",
    "indicator",
    "year",
    "before",
    "after",
    "estimated",
    "change",
    "rate_before",
    "rate_after",
    "p_value",
    "status",
)


def _lookup(values: pd.DataFrame) -> dict[tuple[str, str, int], float]:
    return {
        (str(d), str(i), int(y)): float(v)
        for d, i, y, v in zip(
            values["district_code"],
            values["indicator"],
            values["year"],
            values["value"],
            strict=True,
        )
    }


def _chance_row(
    row: pd.Series,
    registry: IndicatorRegistry,
    old: dict[tuple[str, str, int], float],
    new: dict[tuple[str, str, int], float],
) -> tuple[float, float, float, str | None]:
    """``rate_before``, ``rate_after``, ``p_value`` and ``status`` of one changed value."""
    nan = float("nan")
    code = str(row["indicator"])
    if row["change"] != "changed" or code not in registry:
        return nan, nan, nan, None
    item = registry.get(code)
    if not counts_people(item):
        return nan, nan, nan, None
    count_before, count_after = float(row["before"]), float(row["after"])
    if item.denominator is None:
        base_before = base_after = 1.0
        rate_before, rate_after = nan, nan
        change = count_after - count_before
    else:
        key = (str(row["district_code"]), item.denominator, int(row["year"]))
        base_before, base_after = old.get(key, nan), new.get(key, nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate_before = count_before * 1000 / base_before if base_before > 0 else nan
            rate_after = count_after * 1000 / base_after if base_after > 0 else nan
        change = rate_after - rate_before
        if change != change:  # a denominator missing or 0: judged by the count's sign
            change = count_after - count_before
    p_value = rate_change_p_value(count_before, base_before, count_after, base_after)
    status = change_status(
        pd.Series([change]), direction=item.direction, p_value=pd.Series([p_value])
    ).iloc[0]
    return rate_before, rate_after, p_value, status


def _with_chance(
    changes: pd.DataFrame, old: pd.DataFrame, after: AnalysisData, registry: IndicatorRegistry
) -> pd.DataFrame:
    """``changes`` with the chance status of each changed count (see the module's text)."""
    before_values, after_values = _lookup(old), _lookup(after.values)
    found = [
        _chance_row(row, registry, before_values, after_values) for _, row in changes.iterrows()
    ]
    out = changes.copy()
    for position, name in enumerate(("rate_before", "rate_after", "p_value")):
        out[name] = pd.Series([f[position] for f in found], index=out.index, dtype="float64")
    out["status"] = pd.Series([f[3] for f in found], index=out.index, dtype=object)
    return out


def _value_changes(before: AnalysisData, after: AnalysisData) -> pd.DataFrame:
    columns = ["district_code", "indicator", "year", "before", "after", "estimated", "change"]
    old, estimated_codes = carried_values(before, after)
    # Districts removed in the later edition keep their earlier values (shown as removed).
    gone = before.values[~before.values["district_code"].isin(set(after.districts["code"]))]
    if estimated_codes:
        old = pd.concat([old, gone[old.columns]], ignore_index=True)
    key = ["district_code", "indicator", "year"]
    merged = old.merge(after.values, on=key, how="outer", suffixes=("_before", "_after"))
    merged = merged.rename(columns={"value_before": "before", "value_after": "after"})
    merged["estimated"] = merged["district_code"].isin(estimated_codes)
    changed = ~np.isclose(merged["before"], merged["after"], rtol=0, atol=1e-9)
    merged["change"] = np.select(
        [merged["before"].isna(), merged["after"].isna(), changed],
        ["added", "removed", "changed"],
        default="",
    )
    merged = merged[merged["change"] != ""]
    merged = merged.sort_values(key).reset_index(drop=True)[columns]
    return _with_chance(merged, old, after, after.registry)[list(VALUE_COLUMNS)]


def diff_editions(before: AnalysisData, after: AnalysisData) -> EditionDiff:
    """Everything that changed from ``before`` to ``after``."""
    return EditionDiff(
        districts=_district_changes(before.districts, after.districts),
        resources=_resource_changes(before.resources, after.resources),
        values=_value_changes(before, after),
    )
