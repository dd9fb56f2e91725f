"""The yearly report in Chromium (issue 13): the page of the published edition 2013 shows its
sections in order with no script error, printing leaves out the navigation, and the PDF and
DOCX its links download hold the same sections in the same order."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

HEADINGS = [
    "Edycja",
    "Mapy potrzeb",
    "Zmiany zasobów",
    "Obszary docelowe",
    "Działania",
    "Zmiana w ankietach",
    "Źródła danych",
    "Granice dzielnic",
]


def test_the_report_page_prints_and_downloads_the_same_sections(
    page, live_server: str, tmp_path: Path
) -> None:
    page.goto(live_server + "/sprawozdanie/2013", timeout=120_000)
    assert page.locator("article.report h2").all_inner_texts() == HEADINGS
    images = page.locator("article.report figure img")
    assert images.count() == 5  # the first edition: its five maps, no earlier one beside them
    assert all(img.get_attribute("alt") for img in images.all())
    assert page.evaluate(
        "() => [...document.querySelectorAll('article.report figure img')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".report-files").is_visible()
    page.emulate_media(media="screen")
    assert page.console_errors == [] and page.failed_requests == []

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="PDF").click()
    pdf = tmp_path / "report.pdf"
    pdf_download.value.save_as(pdf)
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True
        ).stdout
        lines = [line.strip() for line in text.splitlines()]
        assert [line for line in lines if line in HEADINGS] == HEADINGS

    from docx import Document

    with page.expect_download() as docx_download:
        page.get_by_role("link", name="DOCX").click()
    body = Path(docx_download.value.path()).read_bytes()
    document = Document(io.BytesIO(body))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == HEADINGS
