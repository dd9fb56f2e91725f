"""An editor's work in Chromium: log in, edit a resource by keyboard, see it on the pages and in
the audit log; hostile text typed into the form stays text; two browsers editing one resource;
an editor who is not an admin; no CSP violation on the way (README, "For administrators")."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

HOSTILE = '<img src=x onerror="window.__xss=1">'


def _violations(page) -> list[str]:
    page.evaluate(
        "() => { window.__csp = window.__csp || [];"
        " document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI)); }"
    )
    return page.evaluate("() => window.__csp")


def test_an_editor_logs_in_edits_a_resource_and_sees_it_everywhere(
    page, editor_server: str
) -> None:
    log_in(page, editor_server, "jan.kowalski")
    assert page.locator(".account-nav").inner_text().startswith("jan.kowalski")
    page.goto(f"{editor_server}/zasoby")
    page.locator('a.edit-link[href="/zasoby/9/edycja"]').click()
    page.wait_for_url(f"{editor_server}/zasoby/9/edycja")
    _violations(page)
    page.fill("#f-name", "Świetlica Promyk " + HOSTILE)
    page.fill("#f-capacity", "35")
    page.focus("#f-capacity")
    page.keyboard.press("Enter")  # submits the form, as a keyboard user would
    page.wait_for_url("**/zasoby/9/edycja?saved=1")
    assert page.locator(".form-saved").is_visible()
    assert page.evaluate("() => window.__xss") is None
    assert page.input_value("#f-name") == "Świetlica Promyk " + HOSTILE
    history = page.locator("table.data-table").last.inner_text()
    assert "jan.kowalski" in history and HOSTILE in history
    page.goto(f"{editor_server}/zasoby?q=Promyk")
    assert HOSTILE in page.locator("table").last.inner_text()
    page.goto(f"{editor_server}/dziennik")
    log = page.locator("table.data-table").inner_text()
    assert "jan.kowalski" in log and "form" in log and HOSTILE in log
    assert page.evaluate("() => window.__xss") is None
    # the public map shows the new name to everyone, as text
    anonymous = page.context.browser.new_page()
    anonymous.goto(f"{editor_server}/zasoby?q=Promyk")
    assert HOSTILE in anonymous.locator("table").last.inner_text()
    assert "jan.kowalski" not in anonymous.content()
    anonymous.close()


def test_a_wrong_value_is_named_and_nothing_is_saved(page, editor_server: str) -> None:
    log_in(page, editor_server, "jan.kowalski")
    page.goto(f"{editor_server}/zasoby/11/edycja")
    page.fill("#f-capacity", "-4")
    with page.expect_navigation():
        page.click("form.edit-form button[type=submit]")
    problems = page.wait_for_selector("#problems")  # after the answer has loaded
    assert problems.is_visible() and "-4" in problems.inner_text()
    assert page.get_attribute("#f-capacity", "aria-invalid") == "true"


def test_two_browsers_editing_one_resource_get_the_conflict_view(browser, editor_server) -> None:
    first = browser.new_context(locale="pl-PL").new_page()
    second = browser.new_context(locale="pl-PL").new_page()
    log_in(first, editor_server, "jan.kowalski")
    log_in(second, editor_server, "anna.nowak")
    for page in (first, second):
        page.goto(f"{editor_server}/zasoby/12/edycja")
    second.fill("#f-phone", "74 000 11 22")
    second.click("form.edit-form button[type=submit]")
    second.wait_for_url("**saved=1")
    first.fill("#f-phone", "74 999 88 77")
    with first.expect_navigation():
        first.click("form.edit-form button[type=submit]")
    conflict = first.wait_for_selector("#conflict")
    assert conflict.is_visible()
    text = conflict.inner_text()
    assert "74 000 11 22" in text and "74 999 88 77" in text
    first.click("form.edit-form button[type=submit]")  # "save mine over theirs"
    first.wait_for_url("**saved=1")
    assert first.input_value("#f-phone") == "74 999 88 77"
    first.context.close()
    second.context.close()


def test_an_editor_cannot_reach_what_is_not_theirs_and_logging_out_ends_it(
    page, editor_server: str
) -> None:
    log_in(page, editor_server, "jan.kowalski")
    page.goto(f"{editor_server}/wyloguj")
    page.click("form.account-form button[type=submit]")
    page.wait_for_url(f"{editor_server}/")
    assert "jan.kowalski" not in page.locator(".account-nav").inner_text()
    response = page.goto(f"{editor_server}/dziennik")
    assert response is not None and "/logowanie?next=/dziennik" in page.url


def _xlsx(path, rows: list[list[object]]) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def test_an_editor_uploads_a_workbook_reads_the_report_fixes_the_columns_and_confirms(
    page, editor_server: str, tmp_path
) -> None:
    from tests.browser.test_accessibility import audit

    workbook = tmp_path / "nowe zasoby.xlsx"
    _xlsx(
        workbook,
        [
            ["Obiekt", "Rodzaj", "Szer", "Dl"],
            ["Klub Młodzieżowy Iskra", "świetlica", 50.771, 16.281],
            ["Kawiarnia Pod Wieżą", "kawiarnia", 50.772, 16.282],  # an unknown category
        ],
    )
    log_in(page, editor_server, "jan.kowalski")
    page.goto(f"{editor_server}/dane/import")
    assert audit(page) == []
    page.select_option("#u-kind", "resources")
    page.set_input_files("#u-file", str(workbook))
    with page.expect_navigation():
        page.click("text=Sprawdź plik")
    page.wait_for_selector("#mapping")
    assert audit(page) == []  # the preview, with its report and choices, is accessible too
    # The columns have names palmap does not know: choose them from the file's own.
    for field, column in (
        ("name", "Obiekt"),
        ("category", "Rodzaj"),
        ("lat", "Szer"),
        ("lon", "Dl"),
    ):
        page.select_option(f"#m-{field}", column)
    with page.expect_navigation():
        page.click("text=Sprawdź ponownie")
    report = page.locator("#report").inner_text()
    assert "kawiarnia" in report and "3" in report  # the row, the value, the problem, the fix
    assert page.locator("#confirm").count() == 0  # an invalid row and no skipping
    page.check("#mapping input[name=skip_invalid]")
    with page.expect_navigation():
        page.click("text=Sprawdź ponownie")
    # the preview's map draws the districts and the one new resource
    page.wait_for_selector(".map-box .leaflet-overlay-pane path", state="attached")
    assert page.locator(".map-box .leaflet-container").count() == 1
    summary = page.locator("#summary").inner_text()
    assert "Nowe\t1" in summary or "Nowe 1" in summary.replace("\n", " ")
    page.click("#confirm")
    page.wait_for_url(f"{editor_server}/dane/import")
    assert "Zaimportowano" in page.locator(".form-saved").inner_text()
    page.goto(f"{editor_server}/zasoby?q=Iskra")
    assert "Klub Młodzieżowy Iskra" in page.locator("table").last.inner_text()
    page.goto(f"{editor_server}/")
    assert "Iskra" in page.content()  # in the overview map's markers (JSON-escaped there)
    page.goto(f"{editor_server}/zasoby?q=Iskra")
    page.locator("a.edit-link").first.click()
    page.fill("#f-phone", "74 555 44 33")
    page.click("form.edit-form button[type=submit]")
    page.wait_for_url("**saved=1")
    page.goto(f"{editor_server}/dziennik")
    log = page.locator("table.data-table").inner_text()
    assert "74 555 44 33" in log and "upload:nowe zasoby.xlsx" in log


def test_a_click_on_the_map_places_a_new_resource(page, editor_server: str) -> None:
    log_in(page, editor_server, "jan.kowalski")
    page.goto(f"{editor_server}/zasoby/nowy")
    page.wait_for_selector(".leaflet-overlay-pane path", state="attached")
    box = page.locator(".place-point .leaflet-container").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    lat, lon = float(page.input_value("#f-lat")), float(page.input_value("#f-lon"))
    assert 50.6 < lat < 50.9 and 16.1 < lon < 16.5  # inside the demo city's districts
    assert page.locator(".place-point path.leaflet-interactive").count() > 0
    page.fill("#f-name", "Punkt z mapy")
    page.select_option("#f-category", "ngo")
    page.click("form.edit-form button[type=submit]")
    page.wait_for_url("**saved=1")
    assert page.input_value("#f-name") == "Punkt z mapy"
    assert abs(float(page.input_value("#f-lat")) - lat) < 1e-6
    assert page.input_value("#f-district") != ""  # the district the point lies in
