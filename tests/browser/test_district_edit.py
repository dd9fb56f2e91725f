"""An editor renames a district in Chromium: from the district's page to its form, saved, and
the new name on the district's page for everyone (issue 12, "District names and codes")."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

#: A district the other tests of the shared editor server do not read by name.
CODE = "ksiaz"


def _rename(page, server: str, name: str) -> None:
    page.goto(f"{server}/dzielnice/{CODE}/edycja")
    page.fill("#f-name", name)
    with page.expect_navigation():
        page.click("form.edit-form button[type=submit]")
    page.wait_for_url(f"**/dzielnice/{CODE}/edycja?saved=1")


def test_an_editor_renames_a_district_and_sees_it_on_its_page(page, editor_server: str) -> None:
    log_in(page, editor_server, "jan.kowalski")
    page.goto(f"{editor_server}/dzielnice/{CODE}")
    old = page.locator("h1").inner_text()
    page.locator(f'a.edit-link[href="/dzielnice/{CODE}/edycja"]').click()
    page.wait_for_url(f"{editor_server}/dzielnice/{CODE}/edycja")
    assert page.input_value("#f-name") == old
    assert "/dane/import" in page.locator("#boundary-note a").get_attribute("href")
    try:
        _rename(page, editor_server, "Książ Wielki <b>")
        assert page.locator(".form-saved").is_visible()
        page.goto(f"{editor_server}/dzielnice/{CODE}")
        assert page.locator("h1").inner_text() == "Książ Wielki <b>"
        anonymous = page.context.browser.new_page()
        anonymous.goto(f"{editor_server}/dzielnice")
        assert "Książ Wielki <b>" in anonymous.locator("#districts-table").inner_text()
        assert anonymous.locator("#districts-table b").count() == 0  # text, not markup
        anonymous.close()
    finally:
        _rename(page, editor_server, old)
