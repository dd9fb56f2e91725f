"""escape_text and escape_texts: the same output as html.escape plus the JavaScript-dangerous
characters, for any value."""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mapping.render.escape import escape_text, escape_texts

#: The definition escape_text implements in one pass.
_JS = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;", "\x00": "\ufffd"})


def reference(value: object) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return html.escape(str(value), quote=True).translate(_JS)


values = st.one_of(
    st.text(),
    st.text(alphabet="&<>\"'`$\\\x00ab;#"),
    st.integers(),
    st.floats(),
    st.none(),
    st.just(pd.NA),
    st.just(pd.NaT),
)


@given(values)
def test_escape_text_equals_html_escape_plus_the_javascript_characters(value: object) -> None:
    assert escape_text(value) == reference(value)


@given(st.lists(values, max_size=30))
def test_escape_texts_equals_escape_text_of_each(items: list[object]) -> None:
    assert escape_texts(items) == [escape_text(v) for v in items]
    assert escape_texts(pd.Series(items, dtype=object)) == [escape_text(v) for v in items]


def test_escaped_text_has_no_dangerous_character() -> None:
    escaped = escape_text("<script>`${x}`</script>&\"'\\\x00")
    for character in "<>\"'`$\\\x00":
        assert character not in escaped
    assert html.unescape(escaped).replace("\ufffd", "\x00") == "<script>`${x}`</script>&\"'\\\x00"


def test_escape_texts_refuses_a_table() -> None:
    with pytest.raises(ValueError, match="one-dimensional"):
        escape_texts(np.array([["a", "b"]], dtype=object))
