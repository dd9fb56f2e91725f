"""Cells and columns as the import builders handle them: text in, typed columns out.

Every builder (:mod:`mapping.io.resources`, :mod:`mapping.io.districts`,
:mod:`mapping.io.indicators`) reads the cells of a table as text and turns them into the columns of
:mod:`mapping.frames` with these helpers, so that empty cells, booleans and object columns are
treated the same way everywhere.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from mapping.errors import msg
from mapping.frames import BOOLEAN_TEXT
from mapping.io.report import ImportReport
from mapping.io.tabular import cell_texts

__all__ = [
    "FALSE_WORDS",
    "TRUE_WORDS",
    "as_object",
    "attributes_as_text",
    "booleans",
    "nones",
    "or_none",
    "row_list",
    "texts",
]

#: Words read as true and as false (compared in lower case).
TRUE_WORDS = frozenset({"true", "tak", "1", "yes", "t", "y", "prawda"})
FALSE_WORDS = frozenset({"false", "nie", "0", "no", "f", "n", "falsz", "fałsz"})


def texts(values: pd.Series) -> pd.Series:
    """Stripped text, ``""`` for missing; index kept; object dtype (fast without pyarrow).

    Examples
    --------
    >>> texts(pd.Series([" a ", None])).tolist()
    ['a', '']
    """
    return pd.Series(cell_texts(values), index=values.index, dtype=object)


def nones(index: pd.Index) -> pd.Series:
    """An object column of None over ``index``."""
    return pd.Series([None] * len(index), index=index, dtype=object)


def as_object(values: pd.Series) -> pd.Series:
    """Object column with None (not NaN) for missing values, as :mod:`mapping.frames` wants."""
    out = values.astype(object)
    return out.where(out.notna(), None)


def or_none(values: pd.Series) -> pd.Series:
    """Object column with None for empty text."""
    out = values.astype(object)
    return out.where(out != "", None)


def row_list(rows: pd.Index, *, limit: int = 5) -> str:
    """Row numbers for a message, the first ``limit`` of them.

    Examples
    --------
    >>> row_list(pd.Index([2, 3, 4, 5, 6, 7]))
    '2, 3, 4, 5, 6 ...'
    """
    shown = ", ".join(str(r) for r in rows[:limit])
    return shown + (" ..." if len(rows) > limit else "")


def booleans(
    values: pd.Series, report: ImportReport, column: str, *, default: bool | None
) -> pd.Series:
    """Read true/false, tak/nie, 1/0 cells; others are errors (empty ones take ``default``).

    Examples
    --------
    >>> report = ImportReport()
    >>> booleans(pd.Series(["Tak", "", "0"]), report, "x", default=False).tolist()
    [True, False, False]
    """
    text = texts(values)
    lowered = text.str.lower()
    result = pd.Series(default, index=values.index, dtype=object)
    result[lowered.isin(TRUE_WORDS)] = True
    result[lowered.isin(FALSE_WORDS)] = False
    wrong = ~lowered.isin(TRUE_WORDS | FALSE_WORDS) & ((lowered != "") | (default is None))
    if wrong.any():
        report.add_rows(
            values.index[wrong.to_numpy()],
            text[wrong],
            problem=msg("expected true or false (tak/nie, 1/0), got {value!r}"),
            fix=msg("write true or false"),
            field=column,
        )
    return result


def _isnan(value: object) -> bool:
    return isinstance(value, float) and np.isnan(value)


def _float_texts(values: pd.Series) -> pd.Series:
    finite = values.dropna()
    whole = (
        bool(len(finite))
        and bool(np.all(np.mod(finite.to_numpy(dtype=float), 1) == 0))
        and bool(np.all(np.abs(finite.to_numpy(dtype=float)) < 1e15))
    )
    if whole:
        return values.map(lambda v: "" if pd.isna(v) else str(int(v)))
    return values.map(lambda v: "" if pd.isna(v) else repr(float(v)))


def _column_texts(values: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(values):
        return values.map(BOOLEAN_TEXT).astype(object)
    if pd.api.types.is_float_dtype(values):
        return _float_texts(values)
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.map(lambda v: "" if pd.isna(v) else v.isoformat())
    return values.map(lambda v: "" if v is None or v is pd.NA or _isnan(v) else str(v))


def attributes_as_text(gdf: pd.DataFrame) -> pd.DataFrame:
    """Attributes of a layer as text cells, as a table reader would give them.

    Examples
    --------
    >>> attributes_as_text(pd.DataFrame({"n": [1.0, None], "b": [True, False]})).to_dict("list")
    {'n': ['1', ''], 'b': ['true', 'false']}
    """
    columns: dict[str, pd.Series] = {}
    geometry_name = gdf.geometry.name if isinstance(gdf, gpd.GeoDataFrame) else None
    for column in gdf.columns:
        if column == geometry_name:
            continue
        columns[str(column)] = texts(_column_texts(gdf[column]))
    return pd.DataFrame(columns, index=gdf.index)
