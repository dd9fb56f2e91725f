"""The yearly report of a published edition (issue 13, "The yearly report"): the page, the PDF
and the DOCX hold the same sections in the same order, hostile texts stay text, the files are
the same bytes on every request, an unknown edition is a 404, and ``palmap report`` writes the
same files."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.app.conftest import make_app

TITLE = 'Mapy <script>alert("t")</script> & 2013'
HOSTILE_NAME = "<img src=x onerror=alert(1)>"
#: The section headings in Polish, in the order the report prints them.
HEADINGS_PL = [
    "Edycja",
    "Mapy potrzeb",
    "Zmiany zasobów",
    "Obszary docelowe",
    "Działania",
    "Zmiana w ankietach",
    "Źródła danych",
    "Granice dzielnic",
]


@pytest.fixture(scope="module")
def reported(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The demo published as 2012; a resource renamed (hostile) and one moved; 2013 published
    under a hostile title; and a draft 2014."""
    app = make_app(tmp_path_factory.mktemp("report"))
    runner = app.test_cli_runner()
    for args in (
        ["init-db"],
        ["load-demo"],
        ["edition", "publish", "2012", "--title", "Mapy 2012"],
    ):
        done = runner.invoke(args=args)
        assert done.exit_code == 0, done.output
    from app.db import get_engine

    with app.app_context(), get_engine().begin() as conn:
        conn.execute(sa.text("UPDATE resource SET name = :n WHERE id = 5"), {"n": HOSTILE_NAME})
    for args in (
        ["edition", "publish", "2013", "--title", TITLE],
        ["edition", "publish", "2014", "--title", "Szkic", "--draft"],
    ):
        done = runner.invoke(args=args)
        assert done.exit_code == 0, done.output
    return app


def _pdf_text(body: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(body)
    found = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return found.stdout


def _in_order(text: str, items: list[str]) -> None:
    at = 0
    for item in items:
        found = text.find(item, at)
        assert found >= 0, f"{item!r} missing or out of order after position {at}"
        at = found + len(item)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_the_pdf_has_the_sections_in_order(reported: Flask, tmp_path: Path) -> None:
    answer = reported.test_client().get("/sprawozdanie/2013.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = _pdf_text(answer.get_data(), tmp_path)
    lines = [line.strip() for line in text.splitlines()]
    assert [line for line in lines if line in HEADINGS_PL] == HEADINGS_PL  # each once, in order
    assert f"Sprawozdanie roczne: {TITLE} · 1" in lines  # the footer: the title, literally
    _in_order(text, ["Edycja 2013", "Edycja 2012"])  # this edition's map beside the previous
    assert "Brak działań zarejestrowanych dla tej edycji." in text
    assert "Nie wczytano ankiet dla tej edycji." in text
    assert HOSTILE_NAME in text  # the renamed resource, literally


def test_the_docx_opens_and_reads_back_its_headings_in_order(reported: Flask) -> None:
    from datetime import datetime

    from docx import Document

    answer = reported.test_client().get("/report/2013.docx?lang=en")
    assert answer.status_code == 200
    document = Document(io.BytesIO(answer.get_data()))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [
        "Edition",
        "Needs maps",
        "Resource changes",
        "Target areas",
        "Actions",
        "Survey change",
        "Sources of data",
        "District boundaries",
    ]
    assert document.paragraphs[0].text == f"Yearly report: {TITLE}"  # literal, not escaped
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert HOSTILE_NAME in cells and "No actions recorded for this edition." in [
        p.text for p in document.paragraphs
    ]
    created = document.core_properties.created
    assert isinstance(created, datetime)
    with reported.app_context():
        from app.db import get_engine
        from mapping.db import editions

        published = editions.get_edition(get_engine(), "2013").published_at
    assert published is not None and created.date() == published.date()


def test_the_page_escapes_hostile_texts_and_links_its_files(reported: Flask) -> None:
    html = reported.test_client().get("/sprawozdanie/2013").get_data(True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "Mapy &lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt; &amp; 2013" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    _in_order(html, [f"<h2>{h}</h2>" for h in HEADINGS_PL])
    assert 'href="/sprawozdanie/2013.pdf"' in html and 'href="/sprawozdanie/2013.docx"' in html
    assert html.count('<img src="data:image/png;base64,') == 2 * 5  # 5 layers, two editions


def test_the_files_are_the_same_bytes_on_every_request(reported: Flask) -> None:
    from mapping.report.files import clear_cache

    client = reported.test_client()
    first = {fmt: client.get(f"/sprawozdanie/2013.{fmt}").get_data() for fmt in ("pdf", "docx")}
    assert first["pdf"].startswith(b"%PDF") and first["docx"].startswith(b"PK")
    with reported.app_context():
        from app.db import get_engine
        from mapping.db import editions

        published = editions.get_edition(get_engine(), "2013").published_at
    assert published is not None
    assert f"/CreationDate (D:{published:%Y%m%d}000000Z)".encode() in first["pdf"]
    clear_cache()  # drawn again, not served from memory
    for fmt, body in first.items():
        assert client.get(f"/sprawozdanie/2013.{fmt}").get_data() == body, fmt


@pytest.mark.parametrize(
    "url",
    [
        "/sprawozdanie/1999",
        "/report/1999.pdf",
        "/sprawozdanie/2014.docx",  # a draft
        "/sprawozdanie/%3Cscript%3Ealert(1)",
        "/sprawozdanie/" + "9" * 300,
    ],
)
def test_a_report_of_an_unknown_or_draft_edition_is_404(reported: Flask, url: str) -> None:
    answer = reported.test_client().get(url)
    assert answer.status_code == 404
    assert "<script>alert" not in answer.get_data(True)


def test_the_first_edition_says_there_is_no_previous_one(reported: Flask) -> None:
    html = reported.test_client().get("/report/2012?lang=en").get_data(True)
    assert "There is no earlier published edition: the maps show this edition only." in html
    assert "There is no earlier published edition to compare the resources with." in html
    assert html.count('<img src="data:image/png;base64,') == 5


def test_the_command_writes_the_pages_files(reported: Flask, tmp_path: Path) -> None:
    runner = reported.test_cli_runner()
    client = reported.test_client()
    for fmt in ("pdf", "docx"):
        out = tmp_path / f"r.{fmt}"
        done = runner.invoke(args=["report", "2013", "-o", str(out), "--lang", "pl"])
        assert done.exit_code == 0, done.output
        assert out.read_bytes() == client.get(f"/sprawozdanie/2013.{fmt}").get_data()
    out = tmp_path / "r.html"
    done = runner.invoke(args=["report", "2013", "-o", str(out), "--lang", "en"])
    assert done.exit_code == 0, done.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page
    assert "@media print" in page and "Needs maps" in page
    bad = runner.invoke(args=["report", "2013", "-o", str(tmp_path / "r.txt")])
    assert bad.exit_code != 0 and "FILE.pdf" in bad.output
    unknown = runner.invoke(args=["report", "1999", "-o", str(tmp_path / "x.pdf")])
    assert unknown.exit_code == 3 and "2012, 2013" in unknown.output


def test_recorded_actions_target_areas_and_surveys_are_reported(
    reported: Flask, tmp_path: Path
) -> None:
    """The programme's summaries (recorded elsewhere) fill their sections in all three files."""
    from docx import Document

    from app.db import get_engine
    from mapping.pages.text import Translator
    from mapping.report.docx import report_docx
    from mapping.report.files import report_content
    from mapping.report.html import report_article
    from mapping.report.programme import (
        ActionTypeSummary,
        ProgrammeSummary,
        SurveyChange,
        SurveySummary,
        TargetAreaChoice,
    )

    programme = ProgrammeSummary(
        actions=(ActionTypeSummary("IV.5", 3, 120, 97, (("eu", 50000.0), ("city", 12500.0))),),
        target_areas=(TargetAreaChoice("Partnerstwo <Sobięcin>", ("Sobięcin", "Nowe Miasto")),),
    )
    surveys = SurveySummary(
        changes=(SurveyChange("Festyn", "Czuję się częścią dzielnicy", 41.0, 63.5, 40, 35),),
        measure="share of positive answers, %",
    )
    tr = Translator.plain("en")
    with reported.app_context():
        content = report_content(
            get_engine(), "2012", tr, min_count=5, programme=programme, surveys=surveys
        )
        empty = report_content(get_engine(), "2012", tr, min_count=5)  # not the one kept above
    assert "No actions recorded for this edition." in report_article(empty)
    html = report_article(content)
    assert "No actions recorded" not in html and "Partnerstwo &lt;Sobięcin&gt;" in html
    document = Document(io.BytesIO(report_docx(content)))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert {"IV.5", "120", "97", "50,000", "12,500", "Sobięcin, Nowe Miasto"} <= set(cells)
    assert {"Czuję się częścią dzielnicy", "41.0", "63.5"} <= set(cells)
    if shutil.which("pdftotext"):
        from mapping.report.pdf import report_pdf

        text = _pdf_text(report_pdf(content), tmp_path)
        assert "Partnerstwo <Sobięcin>" in text and "Festyn" in text and "50,000" in text


def test_the_demo_cycle_fills_the_programme_sections(empty_app) -> None:
    """With the demo's editions, actions and target areas, the report lists them."""
    runner = empty_app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert runner.invoke(args=["load-demo", "--with-editions"]).exit_code == 0
    client = empty_app.test_client()
    assert "/sprawozdanie/2013" in client.get("/edycje").get_data(True)
    html = client.get("/sprawozdanie/2013").get_data(True)
    assert "Brak działań zarejestrowanych dla tej edycji." not in html
    assert "Nie wybrano obszarów docelowych dla tej edycji." not in html
    assert "Biały Kamień" in html and "IV.6" in html
    assert "Nie wczytano ankiet dla tej edycji." not in html  # the demo's survey counts
    assert "średnia odpowiedź (1–5)" in html
    assert "[pl]" not in html and "[en]" not in html  # each source in the report's language
    assert "ilustracyjne wartości demonstracyjne" in html
