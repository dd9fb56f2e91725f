"""The yearly report of a published edition (issue 13, "The yearly report"): the page, the PDF
and the DOCX hold the same sections in the same order, hostile texts stay text, the files are
the same bytes on every request, an unknown edition is a 404, and ``palmap report`` writes the
same files."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from html import unescape
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
    # The edition 2013's programme year is 2013: the demo's actions of that year are counted.
    assert "Brak działań zarejestrowanych dla tej edycji." not in text
    assert "Typy: IV." in text
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
    assert HOSTILE_NAME in cells
    # The demo's actions of 2013, the edition's programme year, by type.
    assert {"IV.2", "IV.4", "IV.6"} <= set(cells)
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


# --- The saved ranking behind the chosen target areas, and the PDF's layout (issue 13) ---


@pytest.fixture(scope="module")
def cycle(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The demo's whole cycle (editions 2010-2013, partnerships, target areas, actions,
    surveys), with the first partnership's target area of 2013 chosen again from a ranking with
    settings far from the default ones."""
    app = make_app(tmp_path_factory.mktemp("cycle"))
    runner = app.test_cli_runner()
    for args in (["init-db"], ["load-demo", "--with-editions"]):
        done = runner.invoke(args=args)
        assert done.exit_code == 0, done.output
    return app


#: The saved ranking's settings: one indicator weighted 5, one left out, the IMD method, the
#: poor-access term on (the default is every needs indicator 1, z-scores, no terms).
def _saved_settings(needs: list[str]) -> dict[str, str]:
    weights = {f"w_{code}": "1" for code in needs}
    weights[f"w_{needs[0]}"] = "5"
    weights[f"w_{needs[1]}"] = "0"
    return {**weights, "method": "imd", "access_weight": "2", "year": "2013", "top": "4"}


def _save_target_area(app: Flask) -> tuple[str, dict[str, str], tuple[str, ...]]:
    """Save the first partnership's target area in 2013 as the target-area page's form does:
    its districts and the ranking it was chosen from (its query values, runs and seed).
    Returns the partnership's name, the justification sheet's query and the chosen codes."""
    from app.db import get_engine
    from mapping.analysis import AnalysisData
    from mapping.db import programme as programme_store
    from mapping.db import store
    from mapping.db import target_areas as stored
    from mapping.pages.query import parse_target_query
    from mapping.pages.targets import RUNS, target_args
    from mapping.pages.text import Translator
    from mapping.target_areas import TargetAreaRecord, ranking_json, sheet_args

    with app.app_context():
        engine = get_engine()
        data = AnalysisData.from_edition(engine, "2013")
        query = parse_target_query(
            _saved_settings(list(data.needs_codes())), data, Translator.plain("en")
        )
        partnership = programme_store.load_partnerships(engine)[0]
        chosen = tuple(data.districts["code"][-2:])  # two districts from the ranking's bottom
        record = TargetAreaRecord(partnership.code, "2013", chosen, note="test")
        ranking = ranking_json(target_args(data, query), runs=RUNS)
        with store.write_transaction(engine, what="test") as conn:
            saved = stored.save_target_area(conn, record, ranking, actor="test", how="cli")
    return partnership.name, sheet_args(saved), chosen


def _sheet_order(app: Flask, query: dict[str, str]) -> list[str]:
    """The district names in the order of the justification sheet of the saved ranking."""
    from urllib.parse import urlencode

    html = app.test_client().get("/targets/sheet?lang=en&" + urlencode(query)).get_data(True)
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [unescape(n) for n in re.findall(r"<td>\d+</td><td>([^<]*)</td>", body)]


def _until(text: str, *ends: str) -> str:
    """``text`` up to the first of ``ends`` (all of it when none occurs)."""
    for end in ends:
        text = text.split(end, 1)[0]
    return text


def _ranking_rows(document: object, partnership: str) -> list[list[str]]:
    """The rows of the DOCX's ranking table (a "Chosen by" column) that marks ``partnership``."""
    for table in document.tables:  # type: ignore[attr-defined]
        rows = [[c.text for c in row.cells] for row in table.rows]
        if rows and rows[0][-1] == "Chosen by" and any(partnership in r[-1] for r in rows):
            return rows[1:]
    raise AssertionError("no ranking table with a 'Chosen by' column")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_the_report_shows_the_saved_ranking_not_a_default_one(cycle: Flask, tmp_path: Path) -> None:
    """The ranking a partnership saved with its target area is the report's ranking: its
    settings printed as saved, its order the justification sheet's, the chosen districts
    marked; in the page, the PDF and the DOCX alike, and still after the live data change."""
    from docx import Document

    from mapping.render.escape import escape_text
    from mapping.report.files import clear_cache

    name, sheet_query, chosen = _save_target_area(cycle)
    order = _sheet_order(cycle, sheet_query)
    assert len(order) == 21
    with cycle.app_context():
        from app.db import get_engine
        from mapping.analysis import AnalysisData

        data = AnalysisData.from_edition(get_engine(), "2013")
        names = dict(zip(data.districts["code"], data.districts["name"], strict=True))
        needs = list(data.needs_codes())
        first, left_out = (data.registry.label(c, lang="en") for c in needs[:2])
        first, left_out = first[:1].upper() + first[1:], left_out[:1].upper() + left_out[1:]
    chosen_names = [names[c] for c in chosen]
    client = cycle.test_client()
    clear_cache()
    html = client.get("/report/2013?lang=en").get_data(True)
    section = html.split('id="report-targets"', 1)[1].split("</section>", 1)[0]
    assert "Default ranking" not in section
    # The ranking this partnership saved (the other demo partnership saved its own).
    saved = _until(section.split(f"<p>The ranking saved by {escape_text(name)}</p>", 1)[1], "<p>")
    assert "IMD method (exponential scores)" in saved
    assert f"{first} 5 (" in saved and left_out not in saved.split("Weights")[1][:500]
    assert "poor access 2 (" in saved and "Seed: 0." in saved
    assert "leave each indicator out in turn" in saved  # the sensitivity of method version 2
    _in_order(saved, [f"<td>{n}</td>" for n in order])  # the sheet's order
    for district in chosen_names:  # marked as chosen by the partnership
        row = saved.split(f"<td>{district}</td>", 1)[1].split("</tr>", 1)[0]
        assert escape_text(name) in row

    pdf = _pdf_text(client.get("/report/2013.pdf?lang=en").get_data(), tmp_path)
    pdf_saved = _until(pdf.split("IMD method (exponential scores)", 1)[1], "The ranking saved by")
    assert "poor access 2 (" in " ".join(pdf_saved.split())  # the weights, wrapped
    _in_order(_until(pdf_saved, "Target areas chosen by the partnerships"), order)

    document = Document(io.BytesIO(client.get("/report/2013.docx?lang=en").get_data()))
    rows = _ranking_rows(document, name)
    assert [r[1] for r in rows] == order
    assert {r[1] for r in rows if name in r[-1]} == set(chosen_names)
    facts = [(r.cells[0].text, r.cells[1].text) for t in document.tables for r in t.rows]
    assert ("Method", "IMD method (exponential scores)") in facts
    assert any(k == "Weights" and v.startswith(f"{first} 5 (") for k, v in facts)

    # The live data change (every value of the weighted indicator turned upside down): the
    # report, drawn again, shows the same saved ranking.
    with cycle.app_context(), get_engine().begin() as conn:
        conn.execute(
            sa.text("UPDATE indicator_value SET value = 1000 - value WHERE indicator = :c"),
            {"c": needs[0]},
        )
    clear_cache()
    again = client.get("/report/2013?lang=en").get_data(True)
    assert again.split('id="report-targets"', 1)[1].split("</section>", 1)[0] == section
    assert _sheet_order(cycle, sheet_query) == order


def test_without_a_saved_ranking_the_default_one_is_labelled(reported: Flask) -> None:
    html = reported.test_client().get("/report/2013?lang=en").get_data(True)
    section = html.split('id="report-targets"', 1)[1].split("</section>", 1)[0]
    assert "No ranking was saved with a target area in this edition." in section
    assert "<caption>Default ranking: Top " in section
    assert "The ranking saved by" not in section


def _pdf_words(body: bytes, tmp_path: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Each page's words with their boxes (x0, y0, x1, y1 in points), read by pdftotext."""
    path = tmp_path / "boxes.pdf"
    path.write_bytes(body)
    found = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    word = re.compile(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    )
    return [
        [(float(a), float(b), float(c), float(d), unescape(t)) for a, b, c, d, t in word.findall(p)]
        for p in found.split("<page ")[1:]
    ]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
@pytest.mark.parametrize("lang", ["pl", "en"])
def test_no_text_overlaps_in_the_pdf_and_table_headers_come_out_whole(
    cycle: Flask, tmp_path: Path, lang: str
) -> None:
    """Every word of the demo report's PDF stands clear of every other (the funding columns of
    "actions by type" ran into each other), and every header word of every table is one word
    in the PDF, neither broken ("sponsorz" "y") nor run into its neighbour ("UEśrodki")."""
    body = cycle.test_client().get(f"/sprawozdanie/2013.pdf?lang={lang}").get_data()
    pages = _pdf_words(body, tmp_path)
    slack = 0.3  # points: glyph boxes of neighbouring lines may touch
    for number, words in enumerate(pages, start=1):
        for i, a in enumerate(words):
            for b in words[i + 1 :]:
                apart = (
                    a[2] - slack <= b[0]
                    or b[2] - slack <= a[0]
                    or a[3] - slack <= b[1]
                    or b[3] - slack <= a[1]
                )
                assert apart, f"page {number}: {a[4]!r} overlaps {b[4]!r}"
    printed = {w[4] for words in pages for w in words}
    # The headers as the page (the same content as the PDF) shows them.
    html = cycle.test_client().get(f"/sprawozdanie/2013?lang={lang}").get_data(True)
    headers = [unescape(h) for h in re.findall(r'<th scope="col">([^<]*)</th>', html)]
    actions = html.split('id="report-actions"', 1)[1].split("</section>", 1)[0]
    assert len(re.findall(r'<th scope="col">', actions)) == 8  # the funding columns are there
    missing = {w for h in headers for w in h.split() if w not in printed}
    assert not missing, f"header words broken or run together in the PDF: {sorted(missing)}"


def _long_table() -> object:
    from datetime import date

    from mapping.report.content import ReportContent, Section, Table

    columns = (
        "Type",
        "Participants (planned)",
        "EU funds",
        "city funds",
        "state budget",
        "sponsors",
    )
    rows = tuple(
        (f"IV.{i % 7 + 1}", str(i * 3), f"{i * 1000:,}", "0", "–", f"{i * 10:,}") for i in range(90)
    )
    table = Table("Actions by type", columns, rows)
    return ReportContent("T", "en", "2013", "a", date(2013, 1, 2), (Section("x", "X", (table,)),))


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_a_long_table_repeats_its_header_on_each_page(tmp_path: Path) -> None:
    """A table that runs onto the next pages shows its header there too (PDF: set again on
    each page; DOCX: a repeated header row), and its numbers stand flush right."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from mapping.report.docx import report_docx
    from mapping.report.pdf import report_pdf

    content = _long_table()
    pages = _pdf_words(report_pdf(content), tmp_path)  # type: ignore[arg-type]
    assert len(pages) >= 2
    for words in pages[1:]:
        texts = [w[4] for w in words]
        assert "sponsors" in texts and "(planned)" in texts
        right = [w for w in words if w[4] == "sponsors"][0][2]
        last = [w for w in words if w[4].replace(",", "").isdigit() and w[0] > right - 30]
        assert last and all(abs(w[2] - right) < 0.5 for w in last)  # flush right
    document = Document(io.BytesIO(report_docx(content)))  # type: ignore[arg-type]
    table = document.tables[0]
    assert "w:tblHeader" in table.rows[0]._tr.xml
    assert table.rows[5].cells[2].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert table.rows[5].cells[0].paragraphs[0].alignment is None
