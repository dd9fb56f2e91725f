"""The CLI import in the browser (``/dane/import``): preview by rehearsal, columns chosen from the
file, confirm or cancel, the same refusals as the CLI, the audit log, templates."""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.app.conftest import make_app

PASSWORD = "correct horse battery"
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
CSV = "Obiekt;Typ;Szer;Dl\nŚwietlica A;świetlica;50,77;16,28\nKawiarnia;kawiarnia;50,78;16,29\n"
MAPPING = {"field_name": "Obiekt", "field_category": "Typ", "field_lat": "Szer", "field_lon": "Dl"}


def _login(app: Flask, login: str = "jan") -> FlaskClient:
    runner = app.test_cli_runner()
    runner.invoke(
        args=["user", "add", login, "--role", "editor", "--password-stdin"], input=PASSWORD + "\n"
    )
    client = app.test_client()
    token = TOKEN.search(client.get("/logowanie").get_data(True))
    assert token
    answer = client.post(
        "/logowanie", data={"login": login, "password": PASSWORD, "csrf_token": token[1]}
    )
    assert answer.status_code == 302
    return client


def _token(client: FlaskClient, url: str = "/dane/import") -> str:
    found = TOKEN.search(client.get(url).get_data(True))
    assert found
    return found[1]


def _upload(client: FlaskClient, data: bytes, name: str, kind: str = "resources", **form: str):
    fields = MultiDict({"kind": kind, "csrf_token": _token(client), **form})
    fields.add("file", FileStorage(io.BytesIO(data), filename=name))
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(fields)
    content_type = f'multipart/form-data; boundary="{boundary}"'
    return client.post("/dane/import", data=body, content_type=content_type)


def _counts(app: Flask) -> dict[str, int]:
    from app.db import get_engine
    from mapping.db import store

    with app.app_context():
        return store.table_counts(get_engine())


def _uploads(app: Flask) -> list[str]:
    folder = Path(app.instance_path) / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_preview_choose_the_columns_confirm(app: Flask) -> None:
    client = _login(app)
    before = _counts(app)
    sent = _upload(client, CSV.encode(), "zasoby.csv")
    assert sent.status_code == 302
    preview_url = sent.headers["Location"]
    first = client.get(preview_url)
    # the columns are not recognised by their names: the page says so and offers the file's own
    assert first.status_code == 422
    html = first.get_data(True)
    for column in ("Obiekt", "Typ", "Szer", "Dl"):
        assert f'<option value="{column}">' in html
    assert 'id="confirm"' not in html
    again = client.post(preview_url, data={"csrf_token": _token(client, preview_url), **MAPPING})
    html = again.get_data(True)
    assert again.status_code == 200
    assert "<td>3</td><td>Typ</td><td>kawiarnia</td>" in html  # the bad row and its column
    assert 'id="confirm"' not in html  # an invalid row and no skipping: nothing may be written
    skip = client.post(
        preview_url,
        data={"csrf_token": _token(client, preview_url), **MAPPING, "skip_invalid": "1"},
    )
    html = skip.get_data(True)
    counts = dict(re.findall(r'<th scope="row">([^<]+)</th><td>(\d+)</td>', html))
    assert counts["Wczytane wiersze"] == "2" and counts["Nowe"] == "1"
    assert counts["Pominięte (z błędami)"] == "1"
    assert "Nowe dane na mapie" in html and "folium-map" in html  # the new row on a map
    assert _counts(app) == before  # the rehearsal kept nothing
    done = client.post(preview_url + "/zatwierdz", data={"csrf_token": _token(client)})
    assert done.status_code == 302 and done.headers["Location"] == "/dane/import"
    after = _counts(app)
    assert after["resource"] == before["resource"] + 1
    assert "Zaimportowano" in client.get("/dane/import").get_data(True)
    assert _uploads(app) == []  # the file is gone
    log = client.get("/dziennik.csv").get_data(True)
    assert "jan,upload,resources,upload:zasoby.csv" in log and '""loaded"": 1' in log
    assert client.get(preview_url).status_code == 404  # confirmed once


def test_cancel_forgets_the_file_and_writes_nothing(app: Flask) -> None:
    client = _login(app)
    before = _counts(app)
    preview_url = _upload(client, CSV.encode(), "zasoby.csv", **MAPPING).headers["Location"]
    assert _uploads(app)
    cancelled = client.post(preview_url + "/anuluj", data={"csrf_token": _token(client)})
    assert cancelled.status_code == 302
    assert _uploads(app) == [] and _counts(app) == before


def test_an_upload_is_stored_under_a_random_name_and_only_its_owner_sees_it(app: Flask) -> None:
    client = _login(app)
    sent = _upload(client, CSV.encode(), "../../../etc/passwd.csv")
    token = sent.headers["Location"].rsplit("/", 1)[-1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", token)
    assert _uploads(app) == sorted([f"{token}.bin", f"{token}.json"])
    other = _login(app, "ola")
    assert other.get(sent.headers["Location"]).status_code == 404
    refused = other.post(
        sent.headers["Location"] + "/zatwierdz", data={"csrf_token": _token(other)}
    )
    assert refused.status_code == 404
    assert app.test_client().get(sent.headers["Location"]).status_code == 302  # to the login
    for bad in ("../x", "a" * 10, "%2e%2e"):
        assert client.get(f"/dane/import/{bad}").status_code == 404


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.shp", b"\0" * 50_000_000)
    return buffer.getvalue()


def _zip_of(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in names:
            archive.writestr(entry, b"x")
    return buffer.getvalue()


CRS_LINK = (
    b'{"type": "FeatureCollection", "crs": {"type": "link", "properties": '
    b'{"href": "http://example.org/crs.json"}}, "features": []}'
)

#: Hostile or unreadable files, with the start of the refusal a Polish page shows; ``{0}``, ``{1}``
#: ... are the numbers of the CLI's English message, in order (the same values in both languages).
REFUSALS = [
    pytest.param(
        b'<?xml version="1.0"?><OGRVRTDataSource/>',
        "dzielnice.geojson",
        "rozszerzenie wskazuje na plik GeoJSON, a plik zawiera XML (VRT, KML, GML lub HTML), "
        "którego palmap nigdy nie czyta; wyeksportuj warstwę jako GeoJSON, GeoPackage lub "
        "spakowany Shapefile",
        id="xml-vrt",
    ),
    pytest.param(
        b'{"type": "FeatureCollection", "features": [',
        "dzielnice.geojson",
        "nie udało się odczytać warstwy mapy (Failed to read GeoJSON data; At line {0}, "
        "character {1}",
        id="broken-json",
    ),
    pytest.param(
        b"PK\x03\x04 not really a zip",
        "dzielnice.zip",
        "rozszerzenie wskazuje na archiwum zip, a plik zawiera dane binarne nieznanego rodzaju; "
        "sprawdź, czy to właściwy plik",
        id="fake-zip",
    ),
    pytest.param(
        _zip_bomb(),
        "dzielnice.zip",
        "element archiwum „a.shp”: stopień kompresji może wynosić najwyżej {0}, a wynosi {1} "
        "({2} MiB z {3} bajtów); wygląda na bombę zipową (zip bomb), więc został odrzucony",
        id="zip-bomb",
    ),
    pytest.param(
        _zip_of("../evil.shp"),
        "dzielnice.zip",
        "element archiwum „../evil.shp”: nazwa nie może zawierać „..”, a ta wychodzi poza "
        "archiwum; spakuj pliki bez folderów nadrzędnych",
        id="zip-climbs-out",
    ),
    pytest.param(
        _zip_of("dzielnice.vrt"),
        "dzielnice.zip",
        "element archiwum „dzielnice.vrt”: pliki VRT mogą wskazywać na inne pliki, dlatego "
        "palmap nigdy ich nie czyta; usuń ten plik z archiwum",
        id="vrt-in-zip",
    ),
    pytest.param(
        CRS_LINK,
        "dzielnice.geojson",
        "element crs może tylko podawać nazwę układu współrzędnych (np. EPSG:{0}), a ten odsyła "
        "do adresu URL lub pliku, których palmap nigdy nie otwiera; usuń element crs",
        id="crs-url",
    ),
    pytest.param(
        b"kod;nazwa\nbk;Bia\xc5\x82y Kamie\xc5\x84\n",
        "dzielnice.geojson",
        "rozszerzenie wskazuje na plik GeoJSON, ale zawartość to tekst CSV; nadaj plikowi "
        "właściwe rozszerzenie",
        id="content-not-extension",
    ),
    pytest.param(
        b"<kml/>",
        "dzielnice.kml",
        "a ten plik ma rozszerzenie „.kml”; wyeksportuj warstwę jako GeoJSON lub GeoPackage",
        id="unsupported-extension",
    ),
]


def _shown(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(page))


@pytest.mark.parametrize(("data", "name", "polish"), REFUSALS)
def test_the_upload_refuses_what_the_cli_refuses_with_the_same_words(
    app: Flask, tmp_path: Path, data: bytes, name: str, polish: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    cli = app.test_cli_runner().invoke(args=["import", "districts", str(path)])
    assert cli.exit_code != 0
    message = cli.output.strip().removeprefix("Error: ").splitlines()[0]
    message = message.split(" (--")[0]  # the CLI names its own flag after the message
    client = _login(app)
    before = _counts(app)
    sent = _upload(client, data, name, kind="districts")
    # the English page: the CLI's words (the web names the file by its own safe name)
    english = client.get(sent.headers["Location"] + "?lang=en")
    assert english.status_code == 422
    shown = _shown(english.get_data(True))
    core = message.removeprefix(f"{name}: ")
    assert core in shown, (core, message)
    assert 'id="confirm"' not in shown
    # the Polish page: the same refusal in Polish, with the same values
    page = client.get(sent.headers["Location"] + "?lang=pl")
    assert page.status_code == 422
    shown = _shown(page.get_data(True))
    expected = polish.format(*re.findall(r"\d+(?:\.\d+)?", message))
    assert expected in shown, (expected, message)
    assert core not in shown
    assert 'id="confirm"' not in shown and _counts(app) == before


def test_a_file_over_the_size_limit_is_refused_like_the_cli(tmp_path: Path) -> None:
    app = make_app(tmp_path, MAX_FILE_MB=1)
    runner = app.test_cli_runner()
    for command in (["init-db"], ["load-demo"]):
        assert runner.invoke(args=command).exit_code == 0
    client = _login(app)
    big = ("Obiekt;Typ;Szer;Dl\n" + "x;ngo;50,77;16,28\n" * 80_000).encode()
    assert 1 * 2**20 < len(big) < 2 * 2**20
    preview = client.get(_upload(client, big, "zasoby.csv").headers["Location"])
    assert preview.status_code == 422 and "MB" in preview.get_data(True)
    huge = b"x" * (3 * 2**20)
    assert _upload(client, huge, "zasoby.csv").status_code == 413  # never read whole


@pytest.mark.parametrize(
    "kind", ["resources", "districts", "indicators", "partnerships", "actions", "surveys"]
)
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_templates_download_from_the_upload_page(app: Flask, kind: str, fmt: str) -> None:
    client = _login(app)
    page = client.get("/dane/import").get_data(True)
    assert f"/dane/szablon/{kind}.{fmt}" in page
    answer = client.get(f"/dane/szablon/{kind}.{fmt}")
    assert answer.status_code == 200 and "attachment" in answer.headers["Content-Disposition"]
    if fmt == "xlsx":
        assert answer.data[:2] == b"PK"
    else:
        assert answer.get_data(True).splitlines()[0].count(",") >= 1
    assert app.test_client().get(f"/dane/szablon/{kind}.{fmt}").status_code == 302


def test_upload_floods_get_429(tmp_path: Path) -> None:
    app = make_app(tmp_path, UPLOAD_LIMIT="2 per minute")
    runner = app.test_cli_runner()
    for command in (["init-db"], ["load-demo"]):
        assert runner.invoke(args=command).exit_code == 0
    client = _login(app)
    statuses = [_upload(client, CSV.encode(), "zasoby.csv").status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert "Zbyt wiele prób" in _upload(client, CSV.encode(), "zasoby.csv").get_data(True)
    other = _login(app, "ola")  # counted per account
    assert _upload(other, CSV.encode(), "zasoby.csv").status_code == 302


def test_partnerships_and_actions_upload_with_preview_confirm_and_audit(app: Flask) -> None:
    """The programme's kinds go through the same rehearsal, report and confirmation."""
    from app.db import get_engine
    from mapping.db import audit
    from mapping.db import programme as stored

    client = _login(app)
    bad = b"code,title,type,districts,start_date\nu-1,Kurs,IV.9,gaj,2013-01-01\n"
    preview = client.get(_upload(client, bad, "a.csv", kind="actions").headers["Location"])
    page = preview.get_data(True)
    assert "IV.9" in page and "type" in page
    answer = client.post(preview.request.path + "/zatwierdz", data={"csrf_token": _token(client)})
    assert answer.status_code == 302
    with app.app_context():
        assert "u-1" not in {a.code for a in stored.load_actions(get_engine())}
    good = b"code,title,type,districts,start_date\nu-1,Kurs,IV.6,gaj,2013-01-01\n"
    location = _upload(client, good, "a.csv", kind="actions").headers["Location"]
    preview = client.get(location)
    assert preview.status_code == 200
    answer = client.post(location + "/zatwierdz", data={"csrf_token": _token(client)})
    assert answer.status_code == 302
    with app.app_context():
        engine = get_engine()
        assert "u-1" in {a.code for a in stored.load_actions(engine)}
        entries, _total = audit.list_entries(engine, audit.AuditFilter(record_id="u-1"))
        assert list(entries["how"]) == ["upload"] and list(entries["actor"]) == ["jan"]
