"""The import's findings and the core's checks on the editors' pages, in the page's language.

The same check gives the Polish text on a Polish page and the English one on an English page,
with the row, field and value filled in (``app.findings``); values from the file stay text.
"""

from __future__ import annotations

import io
import re

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.app.test_editing import TOKEN, _client, _form
from tests.app.test_finding_cli_unchanged import BAD_RESOURCES
from tests.app.test_values import _table

#: A row with a capacity that is no number, and one whose value is markup.
HOSTILE = BAD_RESOURCES + "r18,Świetlica R,świetlica,50.79205,16.28974,,<b>x</b>,\n"


def _upload(client: FlaskClient, data: bytes, name: str = "zasoby.csv", **form: str) -> str:
    """Upload ``data`` and return the preview's address."""
    token = TOKEN.search(client.get("/dane/import").get_data(True))
    assert token
    fields = MultiDict({"kind": "resources", "csrf_token": token[1], **form})
    fields.add("file", FileStorage(io.BytesIO(data), filename=name))
    boundary, body = encode_multipart(fields)
    sent = client.post(
        "/dane/import", data=body, content_type=f'multipart/form-data; boundary="{boundary}"'
    )
    assert sent.status_code == 302
    return sent.headers["Location"]


def _cells(html: str, row: int, field: str) -> list[str]:
    """The cells of the report's row for ``row`` and ``field``."""
    found = re.search(rf"<tr><td>{row}</td><td>{field}</td>(.*?)</tr>", html)
    assert found, html[html.find('id="report"') :][:2000]
    return re.findall(r"<td>(.*?)</td>", f"<td>{row}</td><td>{field}</td>" + found[1])


def test_the_upload_preview_shows_polish_problems_and_fixes_with_the_values(
    accounts: Flask,
) -> None:
    editor = _client(accounts, "jan")
    html = editor.get(_upload(editor, HOSTILE.encode())).get_data(True)
    assert '<html lang="pl">' in html
    assert _cells(html, 5, "capacity") == [
        "5",
        "capacity",
        "dużo",
        "pojemność musi być liczbą całkowitą miejsc (0 lub więcej), a wpisano „dużo”",
        "wpisz liczbę całkowitą, np. 25, albo zostaw pole puste",
        "błąd",
    ]
    assert _cells(html, 8, "external_id")[3:] == [
        "identyfikator musi być niepowtarzalny, a „r1” występuje ponownie (pierwszy raz: wiersz 2)",
        "nadaj każdemu zasobowi własny identyfikator",
        "błąd",
    ]
    assert _cells(html, 11, "district")[3:5] == [
        "nieznana dzielnica „Gajj” (oczekiwano kodu lub nazwy znanej dzielnicy)",
        "czy chodziło o „Gaj”?",
    ]
    assert _cells(html, 7, "website")[5] == "ostrzeżenie"
    # a value from the file is filled in as text, never as markup
    assert _cells(html, 19, "capacity")[3] == (
        "pojemność musi być liczbą całkowitą miejsc (0 lub więcej), "
        "a wpisano „&lt;b&gt;x&lt;/b&gt;”"
    )
    assert "<b>x</b>" not in html
    # the report's headers are Polish too
    assert '<th scope="col">Jak poprawić</th>' in html
    assert "expected" not in html


def test_the_upload_preview_in_english_shows_the_english_texts(accounts: Flask) -> None:
    editor = _client(accounts, "jan")
    preview = _upload(editor, HOSTILE.encode())
    html = editor.get(preview + "?lang=en").get_data(True)
    assert '<html lang="en">' in html
    assert _cells(html, 5, "capacity") == [
        "5",
        "capacity",
        "dużo",
        "expected the capacity as a whole number of places (0 or more), got &#39;dużo&#39;",
        "write a whole number such as 25, or leave the field empty",
        "error",
    ]
    assert _cells(html, 8, "external_id")[3] == (
        "expected a unique id, got &#39;r1&#39; again (first on line 2)"
    )
    assert '<th scope="col">Fix</th>' in html
    # the same preview follows the language chosen next
    again = editor.get(preview + "?lang=pl").get_data(True)
    assert _cells(again, 5, "capacity")[3].startswith("pojemność musi być liczbą całkowitą")
    back = editor.get(preview + "?lang=en").get_data(True)
    assert _cells(back, 5, "capacity") == _cells(html, 5, "capacity")


def test_the_resource_form_shows_a_wrong_capacity_in_polish(accounts: Flask) -> None:
    editor = _client(accounts, "jan")
    form = _form(editor, "/zasoby/5/edycja")
    answer = editor.post("/zasoby/5/edycja", data={**form, "capacity": "dużo"})
    assert answer.status_code == 422
    html = answer.get_data(True)
    assert (
        "pojemność musi być liczbą całkowitą miejsc (0 lub więcej), a wpisano „dużo”. "
        "wpisz liczbę całkowitą, np. 25, albo zostaw pole puste"
    ) in html
    english = editor.post("/zasoby/5/edycja?lang=en", data={**form, "capacity": "dużo"})
    assert "expected the capacity as a whole number of places" in english.get_data(True)
    too_long = editor.post("/zasoby/5/edycja?lang=pl", data={**form, "operator": "x" * 2001})
    assert "można wpisać najwyżej 2000 znaków. skróć tekst" in too_long.get_data(True)


def test_pasted_values_show_the_bad_cell_in_polish(accounts: Flask) -> None:
    editor = _client(accounts, "jan")
    bad = "district_code\tresidents\nsobiecin\tdużo\n"
    refused = editor.post("/wskazniki/dane", data={**_table(editor), "paste": bad})
    assert refused.status_code == 422
    html = refused.get_data(True)
    assert "oczekiwano liczby, a wpisano „dużo”" in html
    assert "wpisz wartość jako liczbę, np. 1234,5, albo zostaw komórkę pustą" in html


def test_a_file_the_import_cannot_read_is_explained_in_polish(accounts: Flask) -> None:
    editor = _client(accounts, "jan")
    preview = _upload(editor, b"Obiekt;Typ;Szer;Dl\nA;kis;50,77;16,28\n")
    answer = editor.get(preview)
    assert answer.status_code == 422
    assert (
        "upload.csv: brak kolumny name (nazwa/name); dodaj ją albo wybierz kolumnę, "
        "w której jest „name”"
    ) in answer.get_data(True)
    english = editor.get(preview + "?lang=en").get_data(True)
    assert "upload.csv: expected a column for name (nazwa/name), got none" in english


def test_the_categories_page_explains_a_bad_colour_in_polish(accounts: Flask) -> None:
    admin = _client(accounts, "ola")
    token = TOKEN.search(admin.get("/kategorie").get_data(True))
    assert token
    new = {"code": "klub_seniora", "name_pl": "klub seniora", "name_en": "senior club"}
    bad = admin.post("/kategorie", data={**new, "colour": "red", "csrf_token": token[1]})
    page = admin.get(bad.headers["Location"]).get_data(True)
    assert (
        "colour: kolor zapisuje się jako # i sześć cyfr szesnastkowych (#RRGGBB), "
        "a wpisano „red”; wpisz np. #88CCEE"
    ) in page
