"""palmap's settings: defaults, and their ``PALMAP_*`` environment variables.

Every setting is listed in :data:`SETTINGS` with its default and a description; README.md documents
each one (a test checks that). ``create_app(test_config)`` overrides them for tests.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mapping.db.engine import DEFAULT_SPATIALITE_LIBRARY
from mapping.errors import ConfigurationError


@dataclass(frozen=True)
class Setting:
    """One setting: Flask config key, environment variable, default and description."""

    key: str
    default: Any
    description: str

    @property
    def env(self) -> str:
        return f"PALMAP_{self.key}"


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DATABASE_URL",
        None,
        "Database URL. Default: the SpatiaLite file `instance/palmap.sqlite` in the repository "
        "(`sqlite:////absolute/path.sqlite`); PostGIS: `postgresql+psycopg://user:pw@host/db`.",
    ),
    Setting(
        "SECRET_KEY",
        None,
        "Key that signs cookies. Default: a random key kept in `instance/secret_key` (created on "
        "first start). Set it in production when several servers share the database.",
    ),
    Setting(
        "INSTANCE_PATH",
        None,
        "Folder of the files palmap writes: the default SpatiaLite database, the secret key and "
        "the compiled translations. Default: `instance/` in the repository; on a server, a "
        "folder outside the checkout.",
    ),
    Setting("PORT", 5000, "Port of `make run` (the server listens on 127.0.0.1)."),
    Setting(
        "TILES",
        "osm",
        "Base map under the districts: `osm` (OpenStreetMap, with attribution), `none` (no base "
        "map; works offline), or a tile URL template such as `https://tiles.example/{z}/{x}/{y}.png`.",
    ),
    Setting(
        "TILES_ATTRIBUTION",
        None,
        "Attribution shown for a custom `PALMAP_TILES` URL template (required with one).",
    ),
    Setting("DEFAULT_LANG", "pl", "Interface language without a `lang` cookie: `pl` or `en`."),
    Setting(
        "SPATIALITE_LIBRARY",
        DEFAULT_SPATIALITE_LIBRARY,
        "Name or path of the SpatiaLite extension loaded into SQLite.",
    ),
    Setting("LOG_LEVEL", "INFO", "Logging level: DEBUG, INFO, WARNING or ERROR."),
    Setting("MAX_FILE_MB", 100, "Largest file `palmap import` accepts, in MB (larger: exit 4)."),
    Setting("MAX_FEATURES", 200_000, "Most rows or features one import may hold (more: exit 4)."),
    Setting("MAX_VERTICES", 5_000_000, "Most polygon vertices one import may hold (more: exit 4)."),
    Setting(
        "EMBED_ORIGINS",
        "",
        "Space-separated origins allowed to frame the `/embed/` pages, such as "
        "`https://www.um.walbrzych.pl https://partner.example.org`; empty: only palmap itself. "
        "Every other page refuses to be framed.",
    ),
    Setting(
        "MIN_COUNT",
        5,
        "Counts of people below this number are shown as `< 5` on every page and download, and "
        "rates built from them are hidden (the analyses use the true values); `0` turns this off.",
    ),
    Setting(
        "SURVEY_KEY",
        None,
        "Secret key (at least 16 characters; keep it out of the repository) that "
        "`palmap import surveys` hashes respondent ids of anonymous responses with "
        "(HMAC-SHA256), only to count respondents and find a repeated answer; the ids and hashes "
        "are then dropped. Without it responses are refused (aggregated counts need no key).",
    ),
    Setting(
        "TRUSTED_PROXIES",
        0,
        "Number of reverse proxies in front of palmap whose `X-Forwarded-For`, "
        "`X-Forwarded-Proto` and `X-Forwarded-Host` headers are believed (Werkzeug's ProxyFix); "
        "`0` believes none. Set it to `1` behind one nginx or Apache that sets them.",
    ),
    Setting(
        "HTTPS",
        0,
        "`1` when visitors reach palmap over HTTPS only (through a reverse proxy): every "
        "response then says `Strict-Transport-Security`, cookies are marked `Secure`, and the "
        "app refuses to start outside debug without a `PALMAP_SECRET_KEY` of at least 32 "
        "characters of its own.",
    ),
    Setting(
        "RATELIMIT_STORAGE",
        None,
        "Where the counters of the login and upload limits live: `memory://` (each server "
        "process counts alone), or `redis://host:6379` / `memcached://host:11211` to share them "
        "between servers. Default: `PALMAP_CACHE_URL` when it is set, else `memory://`.",
    ),
    Setting(
        "UPLOAD_LIMIT",
        "30 per hour",
        "Most uploads per account on `/dane/import` (Flask-Limiter syntax); more answer 429.",
    ),
    Setting(
        "LOGIN_LIMIT",
        "10 per minute",
        "Most login attempts per client address (Flask-Limiter syntax, such as `10 per minute` "
        "or `5/minute;50/hour`); more answer 429.",
    ),
    Setting(
        "IMPORT_WAIT",
        600,
        "Seconds a writer (`palmap import`, `load-demo`, `init-db`, `categories add|rename`) "
        "waits while another one writes to the same database (imports run one at a time); "
        "then it stops, writing nothing (exit 5). `0` does not wait.",
    ),
    Setting(
        "PAGE_CACHE_MB",
        256,
        "Memory for rendered pages kept per server process, in MB (the least recently used are "
        "dropped; with 100,000 resources a map page is about 11 MB). `0` keeps none.",
    ),
    Setting(
        "CACHE_URL",
        None,
        "A Redis database that several servers share for rendered pages and downloads, and "
        "(unless `PALMAP_RATELIMIT_STORAGE` says otherwise) for the limits' counters, such as "
        "`redis://cache.internal:6379/0`; unset: each server process keeps its own cache. "
        "Every server of one site then needs the same `PALMAP_SECRET_KEY`.",
    ),
    Setting(
        "LOG_FORMAT",
        "text",
        "`text` (lines for people) or `json` (one JSON object per line, with a line per request: "
        "time, level, request id, method, path, status, duration, account id).",
    ),
    Setting(
        "TOPOJSON_MIN_DISTRICTS",
        200,
        "From this many districts on, the maps send them as TopoJSON (each shared border once, "
        "quantised, simplified without opening gaps between neighbours; decoded in the "
        "browser by topojson-client): the 2,477 gminy of Poland make a map page of 0.97 MB "
        "instead of 3.5 MB. Below it plain GeoJSON (as good for a city's districts); `0`: never.",
    ),
    Setting(
        "CLUSTER_MIN_RESOURCES",
        20_000,
        "From this many placed resources on, the map pages carry none: the map loads each "
        "view's resources from `/zasoby/klastry` (`/resources/clusters`) as clusters computed "
        "on the server, or single resources when the view holds few. Smaller sets (a city's "
        "hundreds) keep their markers in the page; `0`: never.",
    ),
)

LANGUAGES: tuple[str, ...] = ("pl", "en")


def from_environ(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Settings from ``PALMAP_*`` variables (only those that are set), as Flask config keys."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        if raw is None or raw == "":
            continue
        if isinstance(setting.default, int):
            try:
                values[setting.key] = int(raw)
            except ValueError:
                raise ConfigurationError(
                    f"{setting.env}: expected a whole number, got {raw!r}"
                ) from None
        else:
            values[setting.key] = raw
    return values


def defaults() -> dict[str, Any]:
    """Every setting's default value."""
    return {s.key: s.default for s in SETTINGS}


def secret_key(instance_path: str | Path) -> str:
    """The instance's persistent random secret key, created on first use (mode 0600)."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key
