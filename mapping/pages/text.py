"""The translation function every page core function takes, and numbers in the reader's language.

The web app passes Flask-Babel's ``gettext`` for the request's language; the CLI and the notebooks
load the same compiled catalogues with :meth:`Translator.from_catalogues`, or use
:meth:`Translator.plain` (the English source strings).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from babel.dates import format_date
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

#: The languages of the interface.
Lang = Literal["pl", "en"]

#: A gettext function: ``gettext("%(n)s districts", n=3)`` -> the translated, filled-in text.
Gettext = Callable[..., str]


def _plain_gettext(message: str, **values: Any) -> str:
    return message % values if values else message


@dataclass(frozen=True)
class Translator:
    """A translation function (call it like ``gettext``) that also knows its language.

    Examples
    --------
    >>> tr = Translator.plain("pl")
    >>> tr("%(count)d districts", count=3)
    '3 districts'
    >>> tr.number(1234.5), tr.number(float("nan")), Translator.plain("en").number(1234.5, 2)
    ('1\\xa0234,5', '', '1,234.50')
    >>> tr.shown(3, small=True, hidden=True, decimals=0, min_count=5)
    '< 5'
    """

    gettext: Gettext
    lang: Lang

    def __call__(self, message: str, **values: Any) -> str:
        return self.gettext(message, **values)

    @classmethod
    def plain(cls, lang: Lang = "en") -> Translator:
        """The source (English) strings, numbers formatted for ``lang``."""
        return cls(_plain_gettext, lang)

    @classmethod
    def from_catalogues(cls, directory: str | Path, lang: Lang) -> Translator:
        """The compiled catalogues ``directory/<lang>/LC_MESSAGES/messages.mo`` for ``lang``."""
        found = Translations.load(str(directory), [lang], domain="messages")
        translations: NullTranslations = found

        def gettext(message: str, **values: Any) -> str:
            text = translations.ugettext(message)
            return text % values if values else text

        return cls(gettext, lang)

    def number(self, value: Any, decimals: int = 1) -> str:
        """A number in the language (``12,5`` in Polish, ``12.5`` in English); "" for NaN."""
        if value is None:
            return ""
        try:
            number = float(value)
        except (TypeError, ValueError):
            return ""
        if not math.isfinite(number):
            return ""
        pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
        return str(format_decimal(number, format=pattern, locale=self.lang))

    def shown(self, value: Any, *, small: bool, hidden: bool, decimals: int, min_count: int) -> str:
        """What a table cell shows: ``< 5`` for a small count, a dash for a hidden rate."""
        if small:
            return f"< {min_count}"
        if hidden:
            return "–"
        return self.number(value, decimals)

    def long_date(self, day: date) -> str:
        """``1 grudnia 2026`` / ``December 1, 2026``."""
        return str(format_date(day, "long", locale=self.lang))
