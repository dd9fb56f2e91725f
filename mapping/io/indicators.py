"""Build indicator values and indicator definitions from tables.

:func:`indicator_values_from_table` reads values per district and year, long or wide
(:attr:`mapping.io.options.ImportOptions.layout`); :func:`indicators_from_table` reads the
definitions of new indicators (code, names, unit, direction, denominator) that an import may bring
along. Districts and indicators are matched as :mod:`mapping.io.matching` says.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from mapping.errors import ValidationError, msg
from mapping.frames import INDICATOR_COLUMNS, INDICATOR_VALUE_COLUMNS
from mapping.indicators.registry import check_domain, denominator_cycle
from mapping.io.fields import as_object, booleans, nones, or_none, texts
from mapping.io.matching import (
    DISTRICT_KEYS,
    column_key,
    district_problem,
    match_districts,
    match_indicators,
    name_key,
    need,
    resolve_fields,
)
from mapping.io.options import DEFAULT_OPTIONS, ImportOptions
from mapping.io.report import ImportReport, unit_word
from mapping.io.tabular import parse_numbers

__all__ = ["indicator_values_from_table", "indicators_from_table"]

_KEYS = ["district_code", "indicator", "year"]
_DEFINE = msg("define it in an indicator definitions file")
#: The problem and the fix of an empty code, name or unit in a definitions file.
_EMPTY = {
    "code": (msg("expected the indicator's code, got an empty field"), msg("fill in the code")),
    "name": (msg("expected the indicator's name, got an empty field"), msg("fill in the name")),
    "unit": (msg("expected the indicator's unit, got an empty field"), msg("fill in the unit")),
}


def _years(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = texts(values)
    ok = text.str.fullmatch(r"(?:19|20|21)\d\d")
    years = pd.to_numeric(text.where(ok, None), errors="coerce")
    return years, ~ok


def _checked_years(table: pd.DataFrame, report: ImportReport, column: str) -> pd.Series:
    years, bad = _years(table[column])
    if bad.any():
        report.add_rows(
            table.index[bad.to_numpy()],
            texts(table[column])[bad],
            problem=msg("expected a year such as 2021, got {value!r}"),
            fix=msg("write the year with four digits"),
            field=column,
        )
    return years


def indicator_values_from_table(
    table: pd.DataFrame,
    report: ImportReport,
    *,
    districts: pd.DataFrame,
    indicators: pd.DataFrame,
    options: ImportOptions = DEFAULT_OPTIONS,
) -> pd.DataFrame:
    """Build indicator values (``INDICATOR_VALUE_COLUMNS``) from a table.

    Notes
    -----
    Layouts (``options.layout``):

    ``long``
        Columns district, year, indicator, value (Polish names work too: osiedle, rok, wskaźnik,
        wartość). An empty value is an error.
    ``wide_indicators``
        A district column and one column per indicator (code or name); ``options.year`` gives the
        year (a year column, when present, wins). Empty cells are no value.
    ``wide_years``
        A district column and one column per year (``2021`` or ``rok 2021``) for
        ``options.indicator``. Empty cells are no value.

    Unknown districts and indicators, years that are not four digits, non-numeric values and a
    repeated (district, indicator, year) - on the later row - fail the row: a row with an error is
    left out whole. An unknown indicator or year column is a file-level error; its cells are not
    read.

    Returns
    -------
    pandas.DataFrame
        ``district_code``, ``indicator``, ``year`` (int64), ``value`` (float64); index: the row
        number each value came from (repeated in wide layouts). ``report.valid`` counts rows.

    Raises
    ------
    ValidationError
        If a needed column or option is missing, or the indicator of the options is unknown.

    Examples
    --------
    >>> d = pd.DataFrame({"code": ["a", "b"], "name": ["Śródmieście", "Podgórze"]})
    >>> ind = pd.DataFrame({"code": ["residents"], "name_pl": ["mieszkańcy"],
    ...                     "name_en": ["residents"]})
    >>> t = pd.DataFrame({"Osiedle": ["Śródmieście", "podgorze"], "2020": ["1 200", "900"],
    ...                   "2021": ["1 180", ""]}, index=pd.Index([2, 3], name="line"))
    >>> options = ImportOptions(layout="wide_years", indicator="mieszkańcy")
    >>> indicator_values_from_table(t, ImportReport(unit="line"), districts=d, indicators=ind,
    ...                             options=options).values.tolist()
    [['a', 'residents', 2020, 1200.0], ['a', 'residents', 2021, 1180.0], \
['b', 'residents', 2020, 900.0]]
    """
    fields = resolve_fields(table, report, kind="indicators", explicit={})
    district_column = need(fields, "district", report, "dzielnica/osiedle/district")
    district_code = _district_codes(table, report, district_column, districts)
    layout = options.layout
    if layout == "long":
        parts = [_long_values(table, report, fields, district_code, indicators)]
    elif layout == "wide_indicators":
        parts = _wide_indicators(table, report, fields, district_code, indicators, options.year)
    elif layout == "wide_years":
        parts = _wide_years(table, report, district_column, district_code, indicators, options)
    else:
        raise ValueError(f"expected layout long, wide_indicators or wide_years, got {layout!r}")
    values = (
        pd.concat(parts) if parts else pd.DataFrame(columns=[*INDICATOR_VALUE_COLUMNS, "_field"])
    )
    ok = values[list(INDICATOR_VALUE_COLUMNS)].notna().all(axis=1)
    _report_repeated(values[ok & ~values.index.isin(list(report.error_rows()))], report)
    result = values[ok & ~values.index.isin(list(report.error_rows()))].sort_index(kind="stable")
    result = result[list(INDICATOR_VALUE_COLUMNS)].astype(
        {"district_code": object, "indicator": object, "year": "int64", "value": "float64"}
    )
    report.valid = int(result.index.nunique())
    return result


def _district_codes(
    table: pd.DataFrame, report: ImportReport, column: str, districts: pd.DataFrame
) -> pd.Series:
    index = table.index
    district_text = texts(table[column])
    district_code, unmatched = match_districts(district_text, districts)
    bad_district = ((district_text != "") & district_code.isna()).to_numpy()
    for row in index[bad_district]:
        value = district_text.loc[row]
        problem, fix = district_problem(value, unmatched.get(value, []), districts)
        report.add(problem, row=row, field=column, value=value, fix=fix)
    empty_district = (district_text == "").to_numpy()
    if empty_district.any():
        report.add_rows(
            index[empty_district],
            problem=msg("expected a district, got an empty field"),
            fix=msg("fill in the district code or name"),
            field=column,
        )
    return district_code


def _known(indicators: pd.DataFrame) -> str:
    return ", ".join(str(c) for c in indicators["code"])


def _long_values(
    table: pd.DataFrame,
    report: ImportReport,
    fields: dict[str, str],
    district_code: pd.Series,
    indicators: pd.DataFrame,
) -> pd.DataFrame:
    index = table.index
    year_column = need(fields, "year", report, "rok/year")
    indicator_column = need(fields, "indicator", report, "wskaźnik/indicator")
    value_column = need(fields, "value", report, "wartość/value")
    years = _checked_years(table, report, year_column)
    lookup = match_indicators(indicators)
    raw_indicator = texts(table[indicator_column])
    codes = as_object(raw_indicator.map(lambda v: lookup.get(name_key(v))))
    unknown = codes.isna().to_numpy()
    if unknown.any():
        report.add_rows(
            index[unknown],
            raw_indicator[unknown],
            problem=msg("expected a known indicator, got {value!r}"),
            fix=msg("use one of {known}, or {define}", known=_known(indicators), define=_DEFINE),
            field=indicator_column,
        )
    values, bad_value = parse_numbers(table[value_column])
    wrong = (bad_value | (values.isna() & ~bad_value)).to_numpy()
    if wrong.any():
        report.add_rows(
            index[wrong],
            texts(table[value_column])[wrong],
            problem=msg("expected a number, got {value!r}"),
            fix=msg("write the value as a number such as 1234,5"),
            field=value_column,
        )
    return pd.DataFrame(
        {
            "district_code": district_code,
            "indicator": codes,
            "year": years,
            "value": values,
            "_field": value_column,
        },
        index=index,
    )


def _wide_indicators(
    table: pd.DataFrame,
    report: ImportReport,
    fields: dict[str, str],
    district_code: pd.Series,
    indicators: pd.DataFrame,
    year: int | None,
) -> list[pd.DataFrame]:
    if "year" in fields:
        years = _checked_years(table, report, fields["year"])
    elif year is None:
        raise ValidationError(
            msg(
                "expected the year of a file with one column per indicator (or a year column), "
                "got neither; give the year the values are for"
            )
        )
    else:
        years = pd.Series(int(year), index=table.index)
    lookup = match_indicators(indicators)
    skip = {fields["district"], fields.get("year")}
    parts: list[pd.DataFrame] = []
    for column in table.columns:
        if column in skip or column_key(column) in DISTRICT_KEYS:
            continue
        code = lookup.get(name_key(str(column)))
        if code is None:
            report.add(
                msg(
                    "expected a column per known indicator, got {column!r}; its values were not "
                    "read",
                    column=column,
                ),
                field=str(column),
                fix=msg(
                    "name the column after one of {known}, or {define}",
                    known=_known(indicators),
                    define=_DEFINE,
                ),
            )
            continue
        parts.append(_wide_part(table, column, report, district_code, code, years))
    return parts


def _wide_years(
    table: pd.DataFrame,
    report: ImportReport,
    district_column: str,
    district_code: pd.Series,
    indicators: pd.DataFrame,
    options: ImportOptions,
) -> list[pd.DataFrame]:
    known = _known(indicators)
    if options.indicator is None:
        raise ValidationError(
            msg(
                "expected the indicator of a file with one column per year, got none; give the "
                "indicator the columns hold (one of {known})",
                known=known,
            )
        )
    code = match_indicators(indicators).get(name_key(options.indicator))
    if code is None:
        raise ValidationError(
            msg(
                "expected the indicator to be a known indicator, got {value!r}; use one of "
                "{known}, or {define}",
                value=options.indicator,
                known=known,
                define=_DEFINE,
            )
        )
    parts: list[pd.DataFrame] = []
    for column in table.columns:
        if column == district_column or column_key(column) in DISTRICT_KEYS:
            continue
        key = column_key(column).removeprefix("rok").removeprefix("year")
        if not (key.isdigit() and len(key) == 4):
            report.add(
                msg(
                    "expected a column per year such as 2021, got {column!r}; its values were "
                    "not read",
                    column=column,
                ),
                field=str(column),
                fix=msg("name the year columns 2019, 2020, ... or remove the column"),
            )
            continue
        years = pd.Series(int(key), index=table.index)
        parts.append(_wide_part(table, column, report, district_code, code, years))
    return parts


def _report_repeated(complete: pd.DataFrame, report: ImportReport) -> None:
    """A repeated (district, indicator, year) fails its later rows."""
    duplicated = complete.duplicated(_KEYS, keep="first")
    if not duplicated.any():
        return
    first = complete[~duplicated].reset_index().set_index(_KEYS)
    row_name = complete.index.name or "index"
    for row, record in complete[duplicated].iterrows():
        key = (record["district_code"], record["indicator"], record["year"])
        first_row = first.loc[key, row_name] if key in first.index else "?"
        report.add(
            msg(
                "expected one value per district, indicator and year, got {indicator!r} for "
                "{district!r} in {year} again (first on {unit} {first})",
                indicator=key[1],
                district=key[0],
                year=int(key[2]),
                unit=unit_word(report.unit),
                first=first_row,
            ),
            row=row,
            field=record["_field"],
            value=str(record["value"]),
            fix=msg("keep one value for each district, indicator and year"),
        )


def _wide_part(
    table: pd.DataFrame,
    column: object,
    report: ImportReport,
    district_code: pd.Series,
    code: str,
    years: pd.Series,
) -> pd.DataFrame:
    values, bad = parse_numbers(table[column])
    if bad.any():
        report.add_rows(
            table.index[bad.to_numpy()],
            texts(table[column])[bad],
            problem=msg("expected a number, got {value!r}"),
            fix=msg("write the value as a number such as 1234,5 or leave the cell empty"),
            field=str(column),
        )
    present = values.notna()
    return pd.DataFrame(
        {
            "district_code": district_code[present],
            "indicator": code,
            "year": years[present],
            "value": values[present],
            "_field": str(column),
        }
    )


def _check_denominators(
    report: ImportReport,
    index: pd.Index,
    codes: pd.Series,
    denominator: pd.Series,
    known: Mapping[str, str | None],
    field: str | None,
) -> None:
    """Row findings for a denominator that is not an indicator, or that leads back in a cycle."""
    defined = {str(c) for c in codes if c != ""}
    usable = sorted(defined | set(known))
    valid = denominator.notna() & (denominator != codes)
    missing = (valid & ~denominator.isin(usable)).to_numpy()
    if missing.any():
        report.add_rows(
            index[missing],
            denominator[missing],
            problem=msg("expected the code of an indicator as denominator, got {value!r}"),
            fix=msg(
                "use one of {known}, define that indicator in this file too, or leave it empty",
                known=", ".join(usable),
            ),
            field=field,
        )
    chains: dict[str, str | None] = {
        str(c): (d if isinstance(d, str) and d else None) for c, d in known.items()
    }
    for code, den, ok in zip(codes, denominator, valid, strict=True):
        if code != "":
            chains[str(code)] = str(den) if ok else None
    for row, code in zip(index, codes, strict=True):
        cycle = denominator_cycle(chains, through=str(code)) if code != "" else None
        if cycle is not None:
            report.add(
                msg(
                    "expected denominators that end at an indicator without one, got the cycle "
                    "{cycle}",
                    cycle=" -> ".join(cycle),
                ),
                row=row,
                field=field,
                value=chains[str(code)],
                fix=msg("leave the denominator of one of them empty"),
            )


def _domains(
    domains: pd.Series, codes: pd.Series, report: ImportReport, fields: dict[str, str]
) -> pd.Series:
    """The optional domain column: a short lower-case code; a bad one is an error of its row."""
    out = domains.copy()
    for row, value in domains.items():
        try:
            out.loc[row] = check_domain(value, code=str(codes.loc[row]))
        except ValidationError:
            report.add(
                msg(
                    "expected a domain of lower-case letters, digits or '_', got {value!r}",
                    value=value,
                ),
                row=row,
                field=fields.get("domain"),
                value=value,
                fix=msg("write a short code such as income, or leave it empty"),
            )
    return out


def indicators_from_table(
    table: pd.DataFrame,
    report: ImportReport,
    *,
    known: Mapping[str, str | None] | None = None,
) -> pd.DataFrame:
    """Build indicator definitions (``INDICATOR_COLUMNS``) from a definitions table.

    Columns: code, name_pl (or nazwa), name_en (or name; defaults to name_pl), unit (jednostka),
    higher_is_more_need (true/false, tak/nie, 1/0), denominator (mianownik; a code or empty),
    description (opis), source (źródło). Any indicator may be a denominator (``residents``,
    an age group such as ``residents_0_17``): one defined in the table or, with ``known``
    (the stored indicators' codes and their denominators), one already stored.
    Optional domain (domena): a short lower-case code such as ``income``; indicators of one
    domain count once together in the needs index.

    Returns
    -------
    pandas.DataFrame
        ``INDICATOR_COLUMNS``; ``higher_is_more_need`` bool; empty text None. Rows with an error
        (empty code, name or unit, a code with spaces, a repeated code - later row -, a bad
        boolean, a denominator equal to the code, with ``known`` also a denominator that is
        neither defined nor stored, or one whose chain of denominators comes back to the row's
        indicator) are left out.

    Raises
    ------
    ValidationError
        If the code, name_pl, unit or higher_is_more_need column is missing.

    Examples
    --------
    >>> t = pd.DataFrame({"kod": ["bezrobotni"], "nazwa": ["bezrobotni"], "jednostka": ["osoby"],
    ...                   "higher_is_more_need": ["tak"], "mianownik": ["residents"]},
    ...                  index=pd.Index([2], name="line"))
    >>> indicators_from_table(t, ImportReport(unit="line")).iloc[0].to_dict()
    ... # doctest: +NORMALIZE_WHITESPACE
    {'code': 'bezrobotni', 'name_pl': 'bezrobotni', 'name_en': 'bezrobotni', 'unit': 'osoby',
     'higher_is_more_need': True, 'denominator': 'residents', 'description': None,
     'source': None, 'domain': None}
    """
    fields = resolve_fields(table, report, kind="indicators", explicit={})
    index = table.index
    code_column = need(fields, "code", report, "kod/code")
    name_column = need(fields, "name_pl", report, "nazwa/name_pl")
    unit_column = need(fields, "unit", report, "jednostka/unit")
    need_column = need(fields, "higher_is_more_need", report, "higher_is_more_need")
    codes = texts(table[code_column])
    for column, what in ((code_column, "code"), (name_column, "name"), (unit_column, "unit")):
        empty = (texts(table[column]) == "").to_numpy()
        if empty.any():
            report.add_rows(
                index[empty],
                problem=_EMPTY[what][0],
                fix=_EMPTY[what][1],
                field=column,
            )
    bad_code = ((codes != "") & ~codes.str.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*")).to_numpy()
    if bad_code.any():
        for row in index[bad_code]:
            value = codes.loc[row]
            suggestion = name_key(value).replace("-", "_")
            report.add(
                msg("expected a code of letters, digits, '_' or '-', got {value!r}", value=value),
                row=row,
                field=code_column,
                value=value,
                fix=msg("write it as {suggestion!r}", suggestion=suggestion)
                if suggestion
                else msg("write a short ASCII code"),
            )
    repeated = ((codes != "") & codes.duplicated(keep="first")).to_numpy()
    if repeated.any():
        report.add_rows(
            index[repeated],
            codes[repeated],
            problem=msg("expected each indicator code once, got {value!r} again"),
            fix=msg("define each indicator once"),
            field=code_column,
        )
    more_need = booleans(table[need_column], report, need_column, default=None)
    names = texts(table[name_column])
    if "name_en" in fields:
        names_en = texts(table[fields["name_en"]])
    else:
        names_en = pd.Series("", index=index)
    fallback = (names_en == "") & (names != "")
    names_en = names_en.where(~fallback, names)

    def optional(canonical: str) -> pd.Series:
        if canonical not in fields:
            return nones(index)
        return or_none(texts(table[fields[canonical]]))

    denominator = optional("denominator")
    self_ref = (denominator == codes).to_numpy()
    if self_ref.any():
        report.add_rows(
            index[self_ref],
            codes[self_ref],
            problem=msg("expected a denominator other than the indicator itself, got {value!r}"),
            fix=msg("give the code of another indicator (such as residents) or leave it empty"),
            field=fields.get("denominator"),
        )
    if known is not None:
        _check_denominators(report, index, codes, denominator, known, fields.get("denominator"))
    frame = pd.DataFrame(
        {
            "code": as_object(codes),
            "name_pl": as_object(names),
            "name_en": as_object(names_en),
            "unit": as_object(texts(table[unit_column])),
            "higher_is_more_need": as_object(more_need),
            "denominator": as_object(denominator),
            "description": as_object(optional("description")),
            "source": as_object(optional("source")),
            "domain": as_object(_domains(optional("domain"), codes, report, fields)),
        },
        index=index,
    )
    frame = frame[~index.isin(list(report.error_rows()))]
    frame["higher_is_more_need"] = frame["higher_is_more_need"].astype(bool)
    report.valid = len(frame)
    return frame[list(INDICATOR_COLUMNS)]
