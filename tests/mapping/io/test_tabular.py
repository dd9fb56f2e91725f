"""CSV and XLSX as offices write them: encodings, delimiters, decimal commas, Polish headers."""

from __future__ import annotations

import io
import math

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapping.errors import RefusedInputError, ValidationError
from mapping.io.matching import canonical_columns
from mapping.io.parsers import decode_text
from mapping.io.safety import Limits
from mapping.io.tabular import number, parse_numbers, read_table

POLISH = "Świetlica „Źródełko” w Śródmieściu; żółć, ąę, ŁÓDŹ"


def test_cp1250_csv_with_semicolons_and_decimal_commas(tmp_path) -> None:
    text = (
        "Nazwa;Kategoria;Szerokość;Długość;Pojemność\r\n"
        f"{POLISH.replace(';', ',')};świetlica;50,7712;16,2843;1 234,5\r\n"
        "Ośrodek Źródło;MOPS;50,7800;16,2900;12\r\n"
    )
    path = tmp_path / "zasoby.csv"
    path.write_bytes(text.encode("cp1250"))
    table, report = read_table(path.read_bytes(), filename=path.name)
    assert list(table.columns) == ["Nazwa", "Kategoria", "Szerokość", "Długość", "Pojemność"]
    assert table.loc[2, "Nazwa"] == POLISH.replace(";", ",")
    assert table.loc[3, "Nazwa"] == "Ośrodek Źródło"
    assert table.loc[2, "Szerokość"] == "50,7712"  # cells stay text; builders parse them
    assert number(table.loc[2, "Pojemność"]) == 1234.5
    assert report.unit == "line" and report.read == 2
    assert "text decoded as cp1250 (Windows Central European)" in report.assumptions
    assert "columns separated by ';'" in report.assumptions


def test_utf8_with_bom_and_commas(tmp_path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(
        ("nazwa,adres\n" + '"Klub, Integracji",ul. Żeromskiego 3\n').encode("utf-8-sig")
    )
    table, report = read_table(path.read_bytes(), filename="r.csv")
    assert list(table.columns) == ["nazwa", "adres"]  # no BOM in the first name
    assert table.to_dict("index") == {
        2: {"nazwa": "Klub, Integracji", "adres": "ul. Żeromskiego 3"}
    }
    assert "text decoded as UTF-8 with BOM" in report.assumptions


def test_iso_8859_2_is_told_from_cp1250(tmp_path) -> None:
    path = tmp_path / "r.csv"
    latin2 = "Świetlica Źródełko w Śródmieściu: żółć ąę ŁÓDŹ"
    path.write_bytes(f"nazwa\n{latin2}\nŚląsk źle\n".encode("iso-8859-2"))
    table, report = read_table(path.read_bytes(), filename="r.csv")
    assert table["nazwa"].tolist() == [latin2, "Śląsk źle"]
    assert "text decoded as ISO-8859-2 (Latin-2)" in report.assumptions


def test_utf16_unicode_text_from_excel() -> None:
    data = "nazwa\tadres\r\nŚwietlica\tul. Źródlana 1\r\n".encode("utf-16")
    table, report = read_table(data, filename="zasoby.txt")
    assert table.to_dict("index") == {2: {"nazwa": "Świetlica", "adres": "ul. Źródlana 1"}}
    assert "text decoded as UTF-16 with BOM" in report.assumptions


def test_decode_text_prefers_the_encoding_without_impossible_characters() -> None:
    assert decode_text("ś ź Ś Ź ą".encode("cp1250"))[1] == "cp1250"
    assert decode_text("ś ź Ś Ź ą".encode("iso-8859-2"))[1] == "iso-8859-2"
    assert decode_text("zwykły tekst".encode())[1] == "utf-8"


def test_tab_delimiter_and_fallback_by_column_counts() -> None:
    table, report = read_table(b"a\tb\tc\n1\t2,5\t3\n", filename="t.tsv")
    assert table.to_dict("index") == {2: {"a": "1", "b": "2,5", "c": "3"}}
    assert "columns separated by tab" in report.assumptions
    # Decimal commas inside ;-separated records must not fool the detection.
    table, _ = read_table(b"x;y\n1,5;2,5\n3,5;4,5\n", filename="t.csv")
    assert table.to_dict("index") == {2: {"x": "1,5", "y": "2,5"}, 3: {"x": "3,5", "y": "4,5"}}


def test_line_numbers_count_the_header_and_blank_lines() -> None:
    data = b'a,b\n1,2\n\n3,4\n"multi\nline",5\n6,7\n'
    table, report = read_table(data, filename="t.csv")
    # Header is line 1; the blank line 3 is skipped but counted; a quoted record spanning two
    # physical lines counts once, as in a spreadsheet.
    assert table.index.tolist() == [2, 4, 5, 6]
    assert table.index.name == "line"
    assert report.read == 4


def test_ragged_line_is_reported_with_its_number() -> None:
    data = b"a;b\n1;2\n3;4;5\n6;7;\n"
    table, report = read_table(data, filename="t.csv")
    assert table.index.tolist() == [2, 4]  # the trailing empty field of line 4 is harmless
    [finding] = report.errors()
    assert (finding.row, finding.severity) == (3, "error")
    assert "expected 2 fields" in finding.problem


def test_cells_are_text_and_stripped() -> None:
    table, _ = read_table(b"id;kod\n007 ; 0123\n", filename="t.csv")
    assert table.loc[2].tolist() == ["007", "0123"]


def test_repeated_column_name_is_refused() -> None:
    with pytest.raises(ValidationError, match="'nazwa' in columns 1 and 3"):
        read_table(b"nazwa;x;nazwa\n1;2;3\n", filename="t.csv")


def test_unnamed_column_with_values_is_a_warning() -> None:
    table, report = read_table(b"a;;\n1;x;\n", filename="t.csv")
    assert list(table.columns) == ["a"]
    assert [(f.field, f.severity) for f in report.findings] == [("column 2", "warning")]


def test_too_many_rows_are_refused() -> None:
    data = ("a\n" + "x\n" * 11).encode()
    with pytest.raises(RefusedInputError, match="at most 10 rows"):
        read_table(data, filename="t.csv", limits=Limits(max_features=10))


def test_number_accepts_polish_and_english_forms() -> None:
    assert number("1 234,5") == 1234.5
    assert number("1\u00a0234\u00a0567,25") == 1234567.25
    assert number("1.234,5") == 1234.5
    assert number("1,234.5") == 1234.5
    assert number("-0,5") == -0.5
    assert number("50.7712") == 50.7712
    assert number("1e3") == 1000.0
    for bad in ("", "abc", "1,2,3", "12 34", "nan", "inf", "1.2,5", "0x10"):
        with pytest.raises(ValidationError):
            number(bad)


def test_canonical_columns_polish_and_english_names() -> None:
    columns = [
        "NAZWA",
        "Kategoria",
        "Adres",
        "Osiedle",
        "szer.",
        "DŁ",
        "Pojemność (miejsca)",
        "Prowadzący",
        "Telefon",
        "Strona WWW",
        "Godziny otwarcia",
        "Opis",
        "Źródło",
        "Identyfikator",
    ]
    assert canonical_columns(columns, "resources") == {
        "Identyfikator": "external_id",
        "NAZWA": "name",
        "Kategoria": "category",
        "Adres": "address",
        "Osiedle": "district",
        "szer.": "lat",
        "DŁ": "lon",
        "Pojemność (miejsca)": "capacity",
        "Prowadzący": "operator",
        "Telefon": "phone",
        "Strona WWW": "website",
        "Godziny otwarcia": "opening_hours",
        "Opis": "description",
        "Źródło": "source",
    }
    assert canonical_columns(["X", "y", "WKT", "lng"], "resources") == {
        "lng": "lon",
        "WKT": "wkt",
        "X": "x",
        "y": "y",
    }
    assert canonical_columns(["Kod", "Nazwa osiedla"], "districts") == {
        "Kod": "code",
        "Nazwa osiedla": "name",
    }
    assert canonical_columns(["dzielnica", "ROK", "wskaźnik", "wartość"], "indicators") == {
        "dzielnica": "district",
        "ROK": "year",
        "wskaźnik": "indicator",
        "wartość": "value",
    }


def _xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_first_sheet_numbers_and_polish_text(tmp_path) -> None:
    data = _xlsx(
        {
            "Zasoby": [
                ["Nazwa", "Szerokość", "Długość", "Pojemność", "Id"],
                ["Świetlica Żak", 50.771234567, 16.2843, 25, "007"],
                [None, None, None, None, None],
                ["Boisko", 50.78, 16.29, 12.5, 8],
            ],
            "Kategorie": [["kod"], ["kis"]],
        }
    )
    path = tmp_path / "zasoby.xlsx"
    path.write_bytes(data)
    table, report = read_table(path.read_bytes(), filename=path.name)
    assert report.unit == "row"
    assert table.index.tolist() == [2, 4]  # sheet rows; the empty row 3 is skipped
    assert table.loc[2].tolist() == ["Świetlica Żak", "50.771234567", "16.2843", "25", "007"]
    assert table.loc[4].tolist() == ["Boisko", "50.78", "16.29", "12.5", "8"]
    assert any("first sheet 'Zasoby'" in a for a in report.assumptions)
    other, _ = read_table(data, filename="zasoby.xlsx", sheet="Kategorie")
    assert other["kod"].tolist() == ["kis"]


def test_xlsx_missing_sheet_lists_the_sheets() -> None:
    data = _xlsx({"A": [["x"], [1]], "B": [["y"], [2]]})
    with pytest.raises(ValidationError, match="got sheets 'A', 'B'"):
        read_table(data, filename="t.xlsx", sheet="C")


_NUMBER_CELLS = st.one_of(
    st.text(alphabet="0123456789.,eE+- \u00a0", max_size=12),
    st.floats(allow_nan=False).map(lambda v: repr(v).replace(".", ",")),
    st.floats(allow_nan=False).map(repr),
    st.integers(-(10**9), 10**9).map(lambda v: f"{v:,}".replace(",", "\u00a0") + ",5"),
    st.text(max_size=6),
    st.sampled_from(["nan", "inf", "-Infinity", "1_000", "0x10", "1\u00a0234", "\x00", "1,"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_NUMBER_CELLS, max_size=8))
def test_parse_numbers_whole_column_path_equals_cell_by_cell(cells: list[str]) -> None:
    # An empty cell makes parse_numbers parse the column cell by cell (a float column cannot
    # hold it), so the same cells with "" added must give the same numbers and flags.
    fast_numbers, fast_bad = parse_numbers(pd.Series(cells, dtype=object))
    slow_numbers, slow_bad = parse_numbers(pd.Series([*cells, ""], dtype=object))
    assert fast_numbers.tolist() == pytest.approx(slow_numbers.tolist()[:-1], nan_ok=True, rel=0)
    assert [str(v) for v in fast_numbers] == [str(v) for v in slow_numbers.tolist()[:-1]]
    assert fast_bad.tolist() == slow_bad.tolist()[:-1]


def test_parse_numbers_column_of_plain_numbers_with_commas_and_points() -> None:
    numbers, bad = parse_numbers(pd.Series(["50,5", "-1.25", "1e3", "+.5", "1e999", "7"]))
    assert numbers.tolist()[:4] == [50.5, -1.25, 1000.0, 0.5]
    assert math.isnan(numbers.iloc[4]) and numbers.iloc[5] == 7.0
    assert bad.tolist() == [False, False, False, False, True, False]
    numbers, bad = parse_numbers(pd.Series(["1,2,3", "1.234,5", "e5", "-"]))
    assert math.isnan(numbers.iloc[0]) and numbers.iloc[1] == 1234.5
    assert bad.tolist() == [True, False, True, True]
