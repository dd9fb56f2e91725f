"""Text helpers shared by readers, the store and the demo data.

Nothing here is specific to one city: :func:`slugify` turns any name (Polish or not) into the ASCII
code that identifies a district, category or indicator in URLs, files and the database;
:func:`source_languages` and :func:`source_in` read a data source's text written in both
languages (``[pl] ... [en] ...``) in the existing text field, so no column is added for it.
"""

from __future__ import annotations

import re
import unicodedata

from mapping.errors import ValidationError

__all__ = ["SOURCE_LANGUAGES", "slugify", "source_in", "source_languages"]

# Letters that Unicode decomposition does not reduce to ASCII (``ł`` has no decomposition) or that
# need more than one ASCII letter. Polish letters are all listed explicitly so that the result does
# not depend on the normalisation form of the input.
_TRANSLITERATION: dict[int, str] = str.maketrans(
    {
        "ą": "a",
        "ć": "c",
        "ę": "e",
        "ł": "l",
        "ń": "n",
        "ó": "o",
        "ś": "s",
        "ź": "z",
        "ż": "z",
        "Ą": "A",
        "Ć": "C",
        "Ę": "E",
        "Ł": "L",
        "Ń": "N",
        "Ó": "O",
        "Ś": "S",
        "Ź": "Z",
        "Ż": "Z",
        "ß": "ss",
        "ẞ": "SS",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ħ": "h",
        "Ħ": "H",
        "ı": "i",
        "þ": "th",
        "Þ": "TH",
        "ð": "d",
        "Ð": "D",
    }
)
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(name: str) -> str:
    """Return the ASCII slug of ``name``: lowercase letters and digits joined by single hyphens.

    Polish letters are transliterated (``ł`` to ``l``, ``Ż`` to ``z`` and so on), other accented
    letters lose their accents, every run of other characters (spaces, punctuation, symbols)
    becomes one hyphen, and hyphens at either end are dropped. The result is deterministic and
    matches ``^[a-z0-9]+(-[a-z0-9]+)*$``.

    Parameters
    ----------
    name
        Any text, for example a district name.

    Returns
    -------
    str
        The slug.

    Raises
    ------
    ValidationError
        If nothing of ``name`` survives, for example ``"--"`` or a name in a script without an
        ASCII transliteration: give the row an explicit code instead.

    Examples
    --------
    >>> slugify("Biały Kamień")
    'bialy-kamien'
    >>> slugify("Podgórze II")
    'podgorze-ii'
    >>> slugify("  ŚRÓDMIEŚCIE / Źródła ")
    'srodmiescie-zrodla'
    """
    if not isinstance(name, str):
        raise ValidationError(
            f"expected a name as text, got {type(name).__name__} {name!r}; "
            "give the name as a string"
        )
    text = unicodedata.normalize("NFC", name).translate(_TRANSLITERATION)
    # NFKD splits accented letters into base letter plus combining marks, which the ASCII
    # encoding then drops; it also maps compatibility forms such as full-width letters.
    decomposed = unicodedata.normalize("NFKD", text).translate(_TRANSLITERATION)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii")
    slug = _NOT_ALNUM.sub("-", ascii_text.lower()).strip("-")
    if not slug:
        raise ValidationError(
            f"expected a name with at least one letter or digit that has an ASCII form, "
            f"got {name!r}; give the row an explicit ASCII code"
        )
    return slug


#: The languages a source text may be given in, each introduced by its tag (``[pl]``, ``[en]``).
SOURCE_LANGUAGES: tuple[str, ...] = ("pl", "en")
_SOURCE_TAG = re.compile(r"\[(pl|en)\]")


def source_languages(text: str | None) -> dict[str, str]:
    """The texts of a data source by language: ``[pl] tekst [en] text`` gives both.

    A source that starts with a language tag holds one text per tag (either order; a tag
    alone says which language a one-language source is in). Any other text is one text of
    an unstated language, under the key ``""``. Empty texts are left out.

    Examples
    --------
    >>> source_languages("[pl] dane MOPS, 2021 [en] MOPS data, 2021")
    {'pl': 'dane MOPS, 2021', 'en': 'MOPS data, 2021'}
    >>> source_languages("[en] Statistics Poland (GUS BDL)")
    {'en': 'Statistics Poland (GUS BDL)'}
    >>> source_languages("GUS BDL [en] tag inside"), source_languages(None)
    ({'': 'GUS BDL [en] tag inside'}, {})
    """
    stripped = (text or "").strip()
    if not _SOURCE_TAG.match(stripped):
        return {"": stripped} if stripped else {}
    parts = _SOURCE_TAG.split(stripped)
    found: dict[str, str] = {}
    for lang, body in zip(parts[1::2], parts[2::2], strict=True):
        if body.strip():
            found.setdefault(lang, body.strip())
    return found


def source_in(text: str | None, lang: str) -> tuple[str, str | None]:
    """The source's text for a reader of ``lang``, and the language of that text when it is
    another known language (None when it is ``lang`` or not stated).

    Examples
    --------
    >>> both = "[pl] wartości ilustracyjne [en] illustrative values"
    >>> source_in(both, "pl"), source_in(both, "en")
    (('wartości ilustracyjne', None), ('illustrative values', None))
    >>> source_in("[en] Police records", "pl")
    ('Police records', 'en')
    >>> source_in("PUP Wałbrzych", "en"), source_in("", "pl")
    (('PUP Wałbrzych', None), ('', None))
    """
    texts = source_languages(text)
    if lang in texts:
        return texts[lang], None
    for other in (*SOURCE_LANGUAGES, ""):
        if other in texts:
            return texts[other], other or None
    return "", None
