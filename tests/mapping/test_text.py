"""Tests of mapping.text.slugify."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mapping.errors import ValidationError
from mapping.text import slugify

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
POLISH_LOWER = "ąćęłńóśźż"
POLISH_UPPER = "ĄĆĘŁŃÓŚŹŻ"
POLISH_ASCII = "acelnoszz"
# Characters that certainly survive as an ASCII letter or digit.
TRANSLITERABLE = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" + POLISH_LOWER + POLISH_UPPER
)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Biały Kamień", "bialy-kamien"),
        ("Śródmieście", "srodmiescie"),
        ("Gaj", "gaj"),
        ("Glinik Nowy", "glinik-nowy"),
        ("Glinik Stary", "glinik-stary"),
        ("Konradów", "konradow"),
        ("Kozice", "kozice"),
        ("Książ", "ksiaz"),
        ("Lubiechów", "lubiechow"),
        ("Nowe Miasto", "nowe-miasto"),
        ("Nowy Poniatów", "nowy-poniatow"),
        ("Osiedle Wanda", "osiedle-wanda"),
        ("Piaskowa Góra", "piaskowa-gora"),
        ("Podgórze I", "podgorze-i"),
        ("Podgórze II", "podgorze-ii"),
        ("Podzamcze", "podzamcze"),
        ("Poniatów", "poniatow"),
        ("Rusinowa", "rusinowa"),
        ("Sobięcin", "sobiecin"),
        ("Stary Zdrój", "stary-zdroj"),
        ("Szczawienko", "szczawienko"),
    ],
)
def test_district_names(name: str, code: str) -> None:
    assert slugify(name) == code


@pytest.mark.parametrize(
    ("letter", "ascii_letter"),
    list(zip(POLISH_LOWER + POLISH_UPPER, POLISH_ASCII * 2, strict=True)),
)
def test_every_polish_letter(letter: str, ascii_letter: str) -> None:
    assert slugify(f"x{letter}x") == f"x{ascii_letter}x"


def test_all_polish_letters_together() -> None:
    assert slugify("ĄĆĘŁŃÓŚŹŻ ąćęłńóśźż") == "acelnoszz-acelnoszz"
    assert slugify("Zażółć gęślą jaźń") == "zazolc-gesla-jazn"


def test_decomposed_input_gives_the_same_slug() -> None:
    composed = "Śródmieście"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert slugify(decomposed) == "srodmiescie"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("  a  --  b  ", "a-b"),
        ("--Nowe__Miasto!!", "nowe-miasto"),
        ("ul. Mickiewicza 26", "ul-mickiewicza-26"),
        ("Podgórze\tII\n", "podgorze-ii"),
        ("Café Ærø", "cafe-aero"),
        ("Straße", "strasse"),
        ("Ⅱ", "ii"),
    ],
)
def test_separators_and_other_letters(name: str, code: str) -> None:
    assert slugify(name) == code


@pytest.mark.parametrize("name", ["", "   ", "--", "!?", "中文", "Ωμέγα"])
def test_nothing_left_raises(name: str) -> None:
    with pytest.raises(ValidationError, match="explicit ASCII code"):
        slugify(name)


def test_not_a_string_raises() -> None:
    with pytest.raises(ValidationError, match="expected a name as text"):
        slugify(None)  # type: ignore[arg-type]


@given(st.text())
def test_any_text_gives_a_slug_or_a_validation_error(text: str) -> None:
    try:
        slug = slugify(text)
    except ValidationError:
        return
    assert SLUG.match(slug)
    assert slug.isascii()


@given(st.text(), st.sampled_from(TRANSLITERABLE), st.text())
def test_text_with_a_transliterable_character_gives_a_slug(
    before: str, letter: str, after: str
) -> None:
    text = before + letter + after
    slug = slugify(text)
    assert SLUG.match(slug), slug
    assert slugify(text) == slug  # deterministic
    assert slugify(slug) == slug  # idempotent
