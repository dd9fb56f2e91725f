"""Text helpers shared by readers, the store and the demo data.

Nothing here is specific to one city: :func:`slugify` turns any name (Polish or not) into the ASCII
code that identifies a district, category or indicator in URLs, files and the database.
"""

from __future__ import annotations

import re
import unicodedata

from mapping.errors import ValidationError

__all__ = ["slugify"]

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
