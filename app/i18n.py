"""Polish first, English alongside: Flask-Babel with a ``lang`` cookie.

``?lang=pl|en`` on any page sets the cookie; without one the interface uses
``PALMAP_DEFAULT_LANG`` (Polish). The catalogues (``app/translations/*/LC_MESSAGES/messages.po``)
are compiled into the instance folder on start, so a checkout needs no build step.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, Response, current_app, g, request
from flask_babel import Babel

from app.config import LANGUAGES

COOKIE = "palmap_lang"
SOURCE_DIR = Path(__file__).resolve().parent / "translations"


def compile_catalogues(source: Path, target: Path) -> Path:
    """Compile every ``.po`` under ``source`` to ``.mo`` under ``target`` when out of date."""
    for po in source.glob("*/LC_MESSAGES/*.po"):
        mo = target / po.relative_to(source).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=po.parts[-3])
        tmp = mo.with_suffix(".tmp")
        with tmp.open("wb") as handle:
            write_mo(handle, catalog)
        tmp.replace(mo)
    return target


def current_lang() -> str:
    """The language of this request: ``?lang=``, else the cookie, else the default."""
    lang = g.get("palmap_lang")
    if lang is None:
        asked = request.args.get("lang")
        if asked in LANGUAGES:
            lang = asked
            g.palmap_lang_set = asked
        else:
            cookie = request.cookies.get(COOKIE)
            lang = cookie if cookie in LANGUAGES else current_app.config["DEFAULT_LANG"]
        g.palmap_lang = lang
    return lang


def init_app(app: Flask) -> None:
    target = compile_catalogues(SOURCE_DIR, Path(app.instance_path) / "translations")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(target)
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["DEFAULT_LANG"]
    Babel(app, locale_selector=current_lang)

    @app.after_request
    def _remember_lang(response: Response) -> Response:
        chosen = g.get("palmap_lang_set")
        if chosen:
            response.set_cookie(
                COOKIE,
                chosen,
                max_age=365 * 24 * 3600,
                samesite="Lax",
                httponly=True,
                secure=current_app.config["HTTPS"] == 1,  # PALMAP_HTTPS (app.security)
            )
        return response

    @app.context_processor
    def _lang() -> dict[str, object]:
        return {"lang": current_lang(), "languages": LANGUAGES}
