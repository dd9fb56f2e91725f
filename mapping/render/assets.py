"""Local copies of the third-party JavaScript and CSS that interactive maps need.

Leaflet and Leaflet.markercluster come from the XStatic wheels (``XStatic-Leaflet``,
``XStatic-Leaflet-MarkerCluster``); never from a CDN and never copied into the repository. The web
app serves each package's folder (:func:`vendor_dir`) under one URL prefix, for example
``/static/vendor/leaflet/leaflet.js``; :func:`asset_urls` gives the URLs the map pages link to.

:func:`remote_asset_urls` finds any script or stylesheet that would still be fetched from another
host, and :func:`localise_html` is the safety net that rewrites known Leaflet/markercluster CDN
URLs to local ones and refuses the rest.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Final
from urllib.parse import urlsplit

import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster

from mapping.errors import ConfigurationError, NotFoundError

__all__ = [
    "ASSET_FILES",
    "VENDOR_PACKAGES",
    "AssetUrls",
    "RemoteAssetError",
    "asset_urls",
    "localise_html",
    "remote_asset_urls",
    "vendor_dir",
]

#: Short name (the URL segment under the prefix) -> the package's folder of files.
VENDOR_PACKAGES: Final = MappingProxyType(
    {
        "leaflet": xstatic.pkg.leaflet.BASE_DIR,
        "markercluster": xstatic.pkg.leaflet_markercluster.BASE_DIR,
    }
)

#: Files the maps link to, as (short name, path inside the package folder).
ASSET_FILES: Final = MappingProxyType(
    {
        "leaflet_js": ("leaflet", "leaflet.js"),
        "leaflet_css": ("leaflet", "leaflet.css"),
        "markercluster_js": ("markercluster", "leaflet.markercluster.js"),
        "markercluster_css": ("markercluster", "MarkerCluster.css"),
        "markercluster_default_css": ("markercluster", "MarkerCluster.Default.css"),
    }
)

#: CDN file names (last path segment) that localise_html knows how to replace, and by what.
_KNOWN_CDN_FILES: Final = MappingProxyType(
    {
        "leaflet.js": "leaflet_js",
        "leaflet-src.js": "leaflet_js",
        "leaflet.css": "leaflet_css",
        "leaflet.markercluster.js": "markercluster_js",
        "leaflet.markercluster-src.js": "markercluster_js",
        "markercluster.css": "markercluster_css",
        "markercluster.default.css": "markercluster_default_css",
    }
)

#: A URL prefix may hold only these characters: it is written unescaped into src/href attributes.
_PREFIX_CHARS = re.compile(r"[A-Za-z0-9._~:/%+@!&()*,;=-]*")
_PREFIX_SCHEMES = frozenset({"", "http", "https", "file"})

#: <link rel=...> values that load something (as opposed to navigation links).
_LOADING_RELS = frozenset({"stylesheet", "preload", "modulepreload", "prefetch", "icon"})
_CSS_REMOTE = re.compile(
    r"""(?:@import\s+(?:url\(\s*)?|url\(\s*)["']?((?:https?:)?//[^"')\s]+)""", re.IGNORECASE
)


class RemoteAssetError(ConfigurationError):
    """A rendered page would load a script or stylesheet from another host."""


@dataclass(frozen=True)
class AssetUrls:
    """URLs of the local Leaflet and markercluster files under one prefix.

    Examples
    --------
    >>> urls = asset_urls("/static/vendor")
    >>> urls.leaflet_js
    '/static/vendor/leaflet/leaflet.js'
    >>> [url for _, url in urls.markercluster_css_links]
    ['/static/vendor/markercluster/MarkerCluster.css', '/static/vendor/markercluster/MarkerCluster.Default.css']
    """  # noqa: E501

    leaflet_js: str
    leaflet_css: str
    markercluster_js: str
    markercluster_css: str
    markercluster_default_css: str

    @property
    def leaflet_js_links(self) -> list[tuple[str, str]]:
        """``(name, url)`` pairs in the form of folium's ``default_js``."""
        return [("leaflet", self.leaflet_js)]

    @property
    def leaflet_css_links(self) -> list[tuple[str, str]]:
        """``(name, url)`` pairs in the form of folium's ``default_css``."""
        return [("leaflet_css", self.leaflet_css)]

    @property
    def markercluster_js_links(self) -> list[tuple[str, str]]:
        """``(name, url)`` pairs in the form of folium's ``default_js``."""
        return [("markerclusterjs", self.markercluster_js)]

    @property
    def markercluster_css_links(self) -> list[tuple[str, str]]:
        """``(name, url)`` pairs in the form of folium's ``default_css``."""
        return [
            ("markerclustercss", self.markercluster_css),
            ("markerclusterdefaultcss", self.markercluster_default_css),
        ]

    def all(self) -> tuple[str, ...]:
        """Every URL, scripts first.

        Examples
        --------
        >>> len(asset_urls("/v").all())
        5
        """
        return (
            self.leaflet_js,
            self.markercluster_js,
            self.leaflet_css,
            self.markercluster_css,
            self.markercluster_default_css,
        )


def vendor_dir(name: str) -> Path:
    """Return the folder holding the files of vendor package ``name``.

    Parameters
    ----------
    name
        A key of :data:`VENDOR_PACKAGES` (``"leaflet"`` or ``"markercluster"``).

    Raises
    ------
    NotFoundError
        For an unknown name.

    Examples
    --------
    >>> (vendor_dir("leaflet") / "leaflet.js").is_file()
    True
    """
    try:
        folder = Path(VENDOR_PACKAGES[name])
    except KeyError:
        known = ", ".join(sorted(VENDOR_PACKAGES))
        raise NotFoundError(f"expected a vendor package name ({known}), got {name!r}") from None
    if not folder.is_dir():
        raise NotFoundError(
            f"expected the files of vendor package {name!r} in {folder}; run make (it installs "
            "the XStatic packages)"
        )
    return folder


def _check_prefix(prefix: str) -> str:
    stripped = prefix.rstrip("/")
    if not _PREFIX_CHARS.fullmatch(stripped):
        raise ConfigurationError(
            "expected an asset URL prefix made of URL characters (no spaces, quotes, angle "
            f"brackets or backslashes), got {prefix!r}"
        )
    scheme = urlsplit(stripped).scheme.lower()
    if scheme not in _PREFIX_SCHEMES:
        raise ConfigurationError(
            "expected an asset URL prefix that is a path ('/static/vendor') or an http(s) or "
            f"file URL, got {prefix!r}"
        )
    return stripped


def asset_urls(prefix: str) -> AssetUrls:
    """Return the URLs of leaflet.js/.css and the markercluster script and stylesheets.

    Each file lives at ``{prefix}/{short name}/{file}``, where the short name is a key of
    :data:`VENDOR_PACKAGES`; serve :func:`vendor_dir` of that name there.

    Parameters
    ----------
    prefix
        Where the vendor folders are served, e.g. ``"/static/vendor"``; a trailing slash is
        ignored. A ``file://`` URL works for a page opened from disk.

    Raises
    ------
    ConfigurationError
        If the prefix holds characters that would break out of an HTML attribute, or has a
        scheme other than http, https or file.

    Examples
    --------
    >>> asset_urls("/static/vendor/").markercluster_js
    '/static/vendor/markercluster/leaflet.markercluster.js'
    """
    base = _check_prefix(prefix)
    urls = {key: f"{base}/{package}/{file}" for key, (package, file) in ASSET_FILES.items()}
    return AssetUrls(**urls)


def _is_remote(url: str) -> bool:
    lowered = url.strip().lower()
    return lowered.startswith(("http://", "https://", "//"))


class _AssetTagParser(HTMLParser):
    """Collect (start offset, raw tag text, url) of script src / loading link href."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[tuple[int, int], str, str]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key.lower(): value or "" for key, value in attrs}
        url = None
        if tag == "script":
            url = values.get("src")
        elif tag == "link":
            rels = set(values.get("rel", "").lower().split())
            if rels & _LOADING_RELS or not rels:
                url = values.get("href")
        elif tag == "style":
            self._in_style = True
        if url:
            self.found.append((self.getpos(), self.get_starttag_text() or "", url))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._in_style = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


def _parse(html: str) -> _AssetTagParser:
    parser = _AssetTagParser()
    parser.feed(html)
    parser.close()
    return parser


def remote_asset_urls(html: str) -> list[str]:
    """List every script or stylesheet URL in ``html`` that points at another host.

    Looks at ``<script src>``, ``<link href>`` (stylesheet, preload, modulepreload, prefetch,
    icon, or no rel) and ``@import`` / ``url(...)`` inside ``<style>`` blocks. ``http://``,
    ``https://`` and protocol-relative ``//`` URLs count as remote. Text inside scripts (tile URL
    templates, attribution links) is not an asset and is not reported.

    Parameters
    ----------
    html
        A rendered page or fragment.

    Returns
    -------
    list of str
        The remote URLs in document order; empty for a page that loads nothing from elsewhere.

    Examples
    --------
    >>> remote_asset_urls('<script src="/static/vendor/leaflet/leaflet.js"></script>')
    []
    >>> remote_asset_urls('<link rel="stylesheet" href="https://elsewhere.example/x.css">')
    ['https://elsewhere.example/x.css']
    """
    parser = _parse(html)
    urls = [url for _, _, url in parser.found if _is_remote(url)]
    for style in parser.styles:
        urls.extend(match.group(1) for match in _CSS_REMOTE.finditer(style))
    return urls


def _local_replacement(url: str, local: AssetUrls) -> str | None:
    path = PurePosixPath(urlsplit(url.strip()).path)
    key = _KNOWN_CDN_FILES.get(path.name.lower())
    if key is None or "leaflet" not in str(path).lower():
        return None
    return getattr(local, key)


def localise_html(html: str, prefix: str) -> str:
    """Rewrite known CDN URLs of Leaflet and markercluster to local ones; refuse any other.

    A safety net for pages built by code that does not use the local map classes of
    :mod:`mapping.render.interactive`: every ``<script src>`` / ``<link href>`` whose file is
    ``leaflet.js``, ``leaflet.css``, ``leaflet.markercluster.js``, ``MarkerCluster.css`` or
    ``MarkerCluster.Default.css`` on a remote host is pointed at :func:`asset_urls` of
    ``prefix``. Only attribute values inside those tags are changed.

    Parameters
    ----------
    html
        A rendered page or fragment.
    prefix
        As for :func:`asset_urls`.

    Returns
    -------
    str
        The rewritten HTML, which loads no remote script or stylesheet.

    Raises
    ------
    RemoteAssetError
        If a remote script or stylesheet is left that has no local copy (jQuery, Bootstrap,
        Font Awesome, d3, ...). Nothing is returned then: dropping a script silently would
        leave a page that fails in ways that are harder to see.

    Examples
    --------
    >>> page = '<script src="https://elsewhere.example/leaflet@1.9.3/dist/leaflet.js"></script>'
    >>> localise_html(page, "/static/vendor")
    '<script src="/static/vendor/leaflet/leaflet.js"></script>'
    """
    local = asset_urls(prefix)
    parser = _parse(html)
    # HTMLParser reports (line, column) positions with lines counted at "\n" only.
    line_starts = [0] + [match.end() for match in re.finditer("\n", html)]
    # Replace from the end so earlier offsets stay valid.
    pieces = html
    for (lineno, col), raw_tag, url in reversed(parser.found):
        if not _is_remote(url):
            continue
        replacement = _local_replacement(url, local)
        if replacement is None:
            continue
        start = line_starts[lineno - 1] + col
        if pieces[start : start + len(raw_tag)] != raw_tag or url not in raw_tag:
            continue  # the URL is entity-encoded in the tag; left for the check below
        new_tag = raw_tag.replace(url, replacement)
        pieces = pieces[:start] + new_tag + pieces[start + len(raw_tag) :]
    remaining = remote_asset_urls(pieces)
    if remaining:
        raise RemoteAssetError(
            "expected a page that loads scripts and stylesheets only from this server, got "
            f"remote URLs without a local copy: {', '.join(remaining)}; draw the map with "
            "mapping.render.interactive, which uses only Leaflet and markercluster"
        )
    return pieces


_LOCAL_TAG: Final = re.compile(
    r'<script src="(?P<js>[^"]+)"></script>|<link rel="stylesheet" href="(?P<css>[^"]+)"\s*/?>'
)
_CSS_URL: Final = re.compile(r"url\((?P<quote>['\"]?)(?P<path>images/[^)'\"]+)(?P=quote)\)")


def _data_uri(path: Path) -> str:
    kind = "image/png" if path.suffix == ".png" else "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def inline_assets(html: str, prefix: str) -> str:
    """Put the vendored scripts and stylesheets that ``html`` links under ``prefix`` inline.

    The result opens from a file with no network and no server: scripts become ``<script>``
    elements, stylesheets ``<style>`` elements, and the images a stylesheet refers to (Leaflet's
    layer-control icon) data URIs. Links to anything else are left alone.

    Examples
    --------
    >>> page = inline_assets('<script src="/v/leaflet/leaflet.js"></script>', "/v")
    >>> page.startswith("<script>/* @preserve") and "/v/leaflet" not in page
    True
    """
    prefix = prefix.rstrip("/") + "/"

    def replace(match: re.Match[str]) -> str:
        url = match.group("js") or match.group("css")
        if not url.startswith(prefix):
            return match.group(0)
        name, _, relative = url[len(prefix) :].partition("/")
        try:
            folder = vendor_dir(name)
        except NotFoundError:
            return match.group(0)
        path = (folder / relative).resolve()
        if folder.resolve() not in path.parents or not path.is_file():
            return match.group(0)
        text = path.read_text(encoding="utf-8")
        if match.group("js"):
            # A literal "</script" inside the code would end the element early.
            return "<script>" + text.replace("</script", "<\\/script") + "</script>"
        text = _CSS_URL.sub(lambda m: f"url({_data_uri(path.parent / m.group('path'))})", text)
        return "<style>" + text.replace("</style", "<\\/style") + "</style>"

    return _LOCAL_TAG.sub(replace, html)
