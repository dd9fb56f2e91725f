"""Both catalogues cover every interface string; the language follows ?lang= and the cookie."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po
from flask.testing import FlaskClient

from app.i18n import COOKIE, SOURCE_DIR

REPO = Path(__file__).resolve().parents[2]


def _catalogue(lang: str):
    with (SOURCE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def test_catalogues_translate_every_string_in_the_code(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-o",
            str(pot),
            "--no-location",
            # The core page functions translate through the function they are given, ``tr``.
            "-k",
            "tr",
            "app",
            "mapping/pages",
        ],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    assert len(wanted) > 10
    for lang in ("pl", "en"):
        catalogue = _catalogue(lang)
        translated = {m.id for m in catalogue if m.id and m.string and not m.fuzzy}
        assert wanted - translated == set(), f"untranslated in {lang}"


def test_polish_is_the_default_and_lang_sets_a_cookie(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="pl">' in page
    assert "Mapa ogólna" in page
    response = client.get("/?lang=en")
    assert '<html lang="en">' in response.get_data(as_text=True)
    assert f"{COOKIE}=en" in response.headers["Set-Cookie"]
    # The cookie now chooses English without the query.
    assert "Overview map" in client.get("/").get_data(as_text=True)
    client.get("/?lang=pl")
    assert "Mapa ogólna" in client.get("/").get_data(as_text=True)


def test_unknown_lang_is_ignored(client: FlaskClient) -> None:
    response = client.get("/?lang=xx")
    assert '<html lang="pl">' in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers
