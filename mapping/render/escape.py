"""The one place where user-supplied strings are made safe for HTML and JavaScript.

folium and Leaflet escape nothing: popups, tooltips, GeoJSON tooltips and layer-control names are
written into ``innerHTML``, and folium's ``parse_html`` popups sit inside JavaScript template
literals. Every user-supplied string that reaches a map therefore goes through :func:`escape_text`
(text) or :func:`safe_url` (links) first, and small HTML snippets are built by :func:`popup_html`.

The output of :func:`escape_text` contains none of ``< > & " ' ` $ \\`` as literal characters, so it
is inert as HTML text, inside a quoted HTML attribute, inside a JavaScript template literal (no
``${`` and no backtick or backslash to break out) and, once JSON-encoded, inside a ``<script>``
block (no ``</script>``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

__all__ = ["Link", "escape_text", "escape_texts", "popup_html", "safe_url"]

#: What :func:`escape_text` replaces, in one pass: the five characters of
#: ``html.escape(quote=True)`` (with its entities), and the characters that are harmless in HTML
#: text but dangerous once the text is embedded in a JavaScript template literal or string.
#: ``str.translate`` replaces every character at once, so ``&`` is never escaped twice.
_ENTITIES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "'": "&#x27;",
        "`": "&#96;",
        "$": "&#36;",
        "\\": "&#92;",
        "\x00": "\ufffd",
    }
)

#: ASCII control characters, whitespace and the characters browsers treat specially in URLs.
_URL_FORBIDDEN = re.compile(r"[\x00-\x20\x7f\\<>\"'`]")
_URL_MAX_LENGTH = 2048
_URL_SCHEMES = frozenset({"http", "https"})


def _is_missing(value: object) -> bool:
    """Return True for None, NaN, pandas NA and NaT (and False for any container)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if pd.api.types.is_scalar(value):
        return bool(pd.isna(value))
    return False


def escape_text(value: object) -> str:
    """Return ``value`` as text that is safe in HTML and in JavaScript strings.

    ``None``, NaN, ``pd.NA`` and ``NaT`` become ``""``; anything else is converted with
    :func:`str` and HTML-escaped, quotes included. Backtick, dollar sign and backslash are also
    replaced by numeric character references (``&#96;``, ``&#36;``, ``&#92;``), so the result
    cannot open a ``${...}`` substitution or end a template literal when it is later embedded in
    JavaScript, and a NUL character becomes U+FFFD. The browser shows the original characters.

    Parameters
    ----------
    value
        Any value: a name, an address, a number.

    Returns
    -------
    str
        Escaped text, ready to be placed between HTML tags or in a quoted attribute.

    Examples
    --------
    >>> escape_text("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert(1)&gt;'
    >>> escape_text("${document.title=1}")
    '&#36;{document.title=1}'
    >>> escape_text("O'Brien & \\"Syn\\"")
    'O&#x27;Brien &amp; &quot;Syn&quot;'
    >>> escape_text(None), escape_text(float("nan")), escape_text(12)
    ('', '', '12')
    """
    if _is_missing(value):
        return ""
    return str(value).translate(_ENTITIES)


def escape_texts(values: Sequence[object] | pd.Series | np.ndarray) -> list[str]:
    """:func:`escape_text` of every value, for large columns (missing values found at once).

    Examples
    --------
    >>> escape_texts(["<b>", None, float("nan"), 3, "a`b"])
    ['&lt;b&gt;', '', '', '3', 'a&#96;b']
    """
    array = np.asarray(values, dtype=object)
    if array.ndim != 1:
        raise ValueError(f"expected a one-dimensional sequence of values, got shape {array.shape}")
    missing = pd.isna(array)
    return [
        "" if gone else str(value).translate(_ENTITIES)
        for value, gone in zip(array.tolist(), missing.tolist(), strict=True)
    ]


def safe_url(value: object) -> str | None:
    """Return ``value`` if it is an absolute http(s) URL with a host, else None.

    Only ``http`` and ``https`` are accepted, so ``javascript:``, ``data:``, ``vbscript:``,
    ``file:`` and relative or protocol-relative URLs are refused. Leading and trailing
    whitespace is stripped; whitespace, control characters, quotes, angle brackets, backticks
    or backslashes anywhere else refuse the URL (browsers silently drop or reinterpret them,
    which is how ``java\\tscript:`` tricks work). URLs with user credentials
    (``https://user@host``), invalid ports or more than 2048 characters are refused too.

    The returned string is not escaped: pass it through :func:`escape_text` before putting it
    in an ``href``.

    Parameters
    ----------
    value
        A candidate URL, typically a resource's ``website`` cell.

    Returns
    -------
    str or None
        The stripped URL, or None when it must not be rendered as a link.

    Examples
    --------
    >>> safe_url("https://example.org/a?b=1")
    'https://example.org/a?b=1'
    >>> safe_url("  http://example.org  ")
    'http://example.org'
    >>> safe_url("javascript:alert(1)") is None
    True
    >>> safe_url(" JaVaScRiPt:alert(1)") is None
    True
    >>> safe_url("//example.org/x") is None, safe_url("/relative") is None
    (True, True)
    """
    if _is_missing(value) or not isinstance(value, str):
        return None
    url = value.strip(" \t\n\r\f\v")
    if not url or len(url) > _URL_MAX_LENGTH or _URL_FORBIDDEN.search(url):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for an invalid port
    except ValueError:
        return None
    if parts.scheme.lower() not in _URL_SCHEMES:
        return None
    if not parts.hostname or "@" in parts.netloc:
        return None
    return url


@dataclass(frozen=True)
class Link:
    """A value that :func:`popup_html` renders as a link when :func:`safe_url` accepts it.

    Parameters
    ----------
    url
        The target; refused URLs are shown as plain (escaped) text, never as a link.
    text
        What to show; defaults to the URL itself.

    Examples
    --------
    >>> Link("https://example.org", text="Example").text
    'Example'
    """

    url: object
    text: object = None


def _render_value(value: object) -> str:
    if isinstance(value, Link):
        shown = escape_text(value.url if _is_missing(value.text) else value.text)
        url = safe_url(value.url)
        if url is None:
            return shown
        return f'<a href="{escape_text(url)}" rel="noopener noreferrer" target="_blank">{shown}</a>'
    return escape_text(value)


def popup_html(rows: Sequence[tuple[str, object]], *, title: object = None) -> str:
    """Build a small HTML snippet: an optional title and a definition list of rows.

    Every label and value goes through :func:`escape_text`. A value wrapped in :class:`Link` is
    rendered as ``<a href=... rel="noopener noreferrer" target="_blank">`` only when
    :func:`safe_url` accepts its URL, and as plain text otherwise; plain strings are never turned
    into links. Rows whose value is missing or empty are left out.

    Parameters
    ----------
    rows
        ``(label, value)`` pairs in display order.
    title
        Shown in bold above the list; None or empty for no title.

    Returns
    -------
    str
        HTML in a ``<div class="palmap-popup">``.

    Examples
    --------
    >>> popup_html([("Address", "Rynek 1"), ("Website", Link("javascript:alert(1)"))],
    ...            title="<b>Club</b>")  # doctest: +NORMALIZE_WHITESPACE
    '<div class="palmap-popup"><strong class="palmap-popup-title">&lt;b&gt;Club&lt;/b&gt;</strong><dl><dt>Address</dt><dd>Rynek 1</dd><dt>Website</dt><dd>javascript:alert(1)</dd></dl></div>'
    >>> popup_html([("Website", Link("https://example.org"))])
    '<div class="palmap-popup"><dl><dt>Website</dt><dd><a href="https://example.org" rel="noopener noreferrer" target="_blank">https://example.org</a></dd></dl></div>'
    """  # noqa: E501
    parts = ['<div class="palmap-popup">']
    shown_title = escape_text(title)
    if shown_title:
        parts.append(f'<strong class="palmap-popup-title">{shown_title}</strong>')
    items = []
    for label, value in rows:
        rendered = _render_value(value)
        if not rendered.strip():
            continue
        items.append(f"<dt>{escape_text(label)}</dt><dd>{rendered}</dd>")
    if items:
        parts.append("<dl>" + "".join(items) + "</dl>")
    parts.append("</div>")
    return "".join(parts)
