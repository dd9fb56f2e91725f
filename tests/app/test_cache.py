"""The page cache keeps pages within its entry and byte budgets, least recently used first out."""

from __future__ import annotations

from flask import Flask

from app import create_app
from app.cache import PageCache, page_cache


def _page(size: int) -> tuple[bytes, int, dict[str, str]]:
    return b"x" * size, 200, {}


def test_pages_beyond_the_byte_budget_are_dropped_oldest_first() -> None:
    cache = PageCache(max_entries=100, max_bytes=1_000)
    for key in "abc":
        cache.put(key, _page(300))
    assert cache.size == (3, 900)
    assert cache.get("a") is not None  # "a" is now the most recently used
    cache.put("d", _page(300))
    assert cache.get("b") is None
    assert [cache.get(k) is not None for k in "acd"] == [True, True, True]
    assert cache.size == (3, 900)
    # The same key again replaces its page and its bytes.
    cache.put("d", _page(100))
    assert cache.size == (3, 700)


def test_a_page_larger_than_the_budget_is_not_kept() -> None:
    cache = PageCache(max_entries=100, max_bytes=1_000)
    cache.put("small", _page(10))
    cache.put("huge", _page(1_001))
    assert cache.get("huge") is None
    assert cache.size == (1, 10)


def test_the_entry_budget_holds_too() -> None:
    cache = PageCache(max_entries=2, max_bytes=10**9)
    for key in "abc":
        cache.put(key, _page(1))
    assert cache.size == (2, 2)
    assert cache.get("a") is None


def test_the_setting_sets_the_budget(tmp_path) -> None:
    app: Flask = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path),
            "SECRET_KEY": "test",
            "PAGE_CACHE_MB": 3,
        }
    )
    assert page_cache(app).max_bytes == 3 * 2**20
