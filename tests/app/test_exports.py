"""Static exports, the standalone map, the target-area sheet and `palmap render map`."""

from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from matplotlib.image import imread

from mapping.render.assets import remote_asset_urls


def get(client: FlaskClient, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response


def legend_labels(page: str) -> list[str]:
    """The class labels of the interactive map's legend (HTML inside a JSON string)."""
    decoded = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page)
    decoded = decoded.replace('\\"', '"')
    labels = re.findall(r'palmap-swatch palmap-square"[^>]*></span>([^<]+)</li>', decoded)
    return [html.unescape(label) for label in labels]


def test_png_has_the_requested_size_and_a4_is_the_default(client: FlaskClient) -> None:
    response = get(client, "/mapa/needs_index.png?width=100&height=80&dpi=100")
    assert response.mimetype == "image/png"
    image = imread(io.BytesIO(response.data), "png")
    assert (image.shape[1], image.shape[0]) == (394, 315)
    a4 = imread(io.BytesIO(get(client, "/map/social_assistance_rate.png?year=2012").data), "png")
    assert (a4.shape[1], a4.shape[0]) == (2480, 3508)


def test_pdf_has_one_page_and_svg_parses(client: FlaskClient) -> None:
    pdf = get(client, "/mapa/needs_index.pdf").data
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    svg = get(client, "/mapa/needs_index.svg").data
    assert ET.fromstring(svg).tag.endswith("svg")


def test_static_legend_has_exactly_the_interactive_breaks(client: FlaskClient) -> None:
    query = "?year=2013&scheme=equal_interval&k=4"
    page = get(client, "/mapa/social_assistance_rate" + query).get_data(as_text=True)
    labels = legend_labels(page)
    assert len(labels) >= 4
    svg = get(client, "/mapa/social_assistance_rate.svg" + query).get_data(as_text=True)
    texts = [html.unescape(t) for t in re.findall(r">([^<>]+)</text>", svg)]
    for label in labels:
        assert label in texts, label
    # The texts a report needs: title with year, source, export date, schematic note.
    joined = " ".join(texts)
    for needed in ("2013", "Źródło", "Wyeksportowano", "Granice schematyczne"):
        assert needed in joined
    # The class scheme is named as on the page, in the page's language.
    assert "klasy: równe przedziały, 4" in joined
    english = get(client, "/map/social_assistance_rate.svg" + query + "&lang=en")
    assert "classes: equal intervals, 4" in english.get_data(as_text=True)


def test_export_settings_are_checked(client: FlaskClient) -> None:
    get(client, "/mapa/needs_index.png?dpi=5000", status=400)
    get(client, "/mapa/needs_index.png?width=abc", status=400)
    get(client, "/mapa/no_such_layer.pdf", status=404)
    get(client, "/mapa/needs_index.pdf?year=1999", status=404)


def test_standalone_html_has_everything_inlined(client: FlaskClient) -> None:
    page = get(client, "/mapa/needs_index.html").get_data(as_text=True)
    assert remote_asset_urls(page) == []
    assert "/static/vendor/" not in page
    assert "tile.openstreetmap.org" not in page  # offline by default
    assert "L.map(" in page


def test_target_sheet_html_and_pdf_list_the_ranking_in_order(client: FlaskClient) -> None:
    query = "?year=2013&method=zscore&w_social_assistance=2&w_long_term_unemployed=1&top=5"
    sheet = get(client, "/obszary/karta" + query).get_data(as_text=True)
    order = re.findall(r"<tr class=\"(?:is-top)?\">\s*<td>(\d+)</td><td>([^<]+)</td>", sheet)
    assert [int(rank) for rank, _ in order] == list(range(1, 22))
    css = get(client, "/static/css/palmap.css")
    text = css.get_data(as_text=True)
    css.close()  # a file response holds the file open until closed
    assert "@media print" in text
    pdf = get(client, "/obszary/karta.pdf" + query).data
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext missing: make test installs poppler-utils")
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")
    names = [html.unescape(name) for _, name in order]
    # A whole name: "Podgórze I" must not be found inside "Podgórze II" (which ranks above it
    # since the rates use age-group denominators and empirical Bayes, issue 14).
    found = [re.search(re.escape(name) + r"(?!\w)", text) for name in names]
    positions = [m.start() if m else -1 for m in found]
    assert all(p >= 0 for p in positions), names
    assert positions == sorted(positions)
    map_png = get(client, "/obszary/mapa.png" + query + "&dpi=72").data
    assert map_png.startswith(b"\x89PNG")


def test_cli_render_map_offers_the_classes_the_pages_offer(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    # A number of classes the pages refuse is a usage error, named before anything is drawn.
    for k in ("2", "9"):
        result = runner.invoke(
            args=[
                "render",
                "map",
                "--layer",
                "needs_index",
                "--k",
                k,
                "-o",
                str(tmp_path / "m.png"),
            ],
        )
        assert result.exit_code == 2 and "3<=x<=7" in result.output
    result = runner.invoke(
        args=[
            "render",
            "map",
            "--layer",
            "needs_index",
            "--scheme",
            "x",
            "-o",
            str(tmp_path / "m.png"),
        ]
    )
    assert result.exit_code == 2 and "quantiles" in result.output
    assert not (tmp_path / "m.png").exists()


def test_cli_render_map_writes_the_same_file(
    runner: FlaskCliRunner, client: FlaskClient, tmp_path: Path
) -> None:
    target = tmp_path / "mapa.svg"
    result = runner.invoke(
        args=[
            "render",
            "map",
            "--layer",
            "needs_index",
            "--year",
            "2013",
            "--scheme",
            "quantiles",
            "--k",
            "5",
            "-o",
            str(target),
        ]
    )
    assert result.exit_code == 0, result.output
    served = get(client, "/mapa/needs_index.svg?year=2013&scheme=quantiles&k=5").data
    # Identical but for the export date and matplotlib's ids; compare the legend texts.
    assert re.findall(rb">([^<>]+)</text>", target.read_bytes()) == re.findall(
        rb">([^<>]+)</text>", served
    )
    html_target = tmp_path / "mapa.html"
    assert (
        runner.invoke(
            args=["render", "map", "--layer", "needs_index", "-o", str(html_target)]
        ).exit_code
        == 0
    )
    assert "L.map(" in html_target.read_text(encoding="utf-8")
    bad = runner.invoke(args=["render", "map", "--layer", "nope", "-o", str(target)])
    assert bad.exit_code == 3 and "nope" in bad.output
    assert "needs_index" in bad.output  # the layers that exist
    dpi = runner.invoke(
        args=["render", "map", "--layer", "needs_index", "--dpi", "5000", "-o", str(target)]
    )
    assert dpi.exit_code == 3 and "50 do 600" in dpi.output  # Polish by default
    usage = runner.invoke(args=["render", "map", "--layer", "needs_index", "-o", "x.gif"])
    assert usage.exit_code == 2


def test_comparison_change_map_exports(client: FlaskClient) -> None:
    svg = get(client, "/porownanie/social_assistance_rate.svg?from=2010&to=2013").get_data(
        as_text=True
    )
    texts = " ".join(re.findall(r">([^<>]+)</text>", svg))
    assert "2010–2013" in texts
    assert "poprawa" in texts or "pogorszenie" in texts
    pdf = get(client, "/compare/social_assistance_rate.pdf?from=2010&to=2013&lang=en").data
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    get(client, "/porownanie/social_assistance_rate.png?from=2013&to=2013", status=400)


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf", "html"])
def test_page_and_cli_render_map_give_identical_bytes(
    runner: FlaskCliRunner, client: FlaskClient, tmp_path: Path, fmt: str
) -> None:
    # The same core functions draw both (no HTTP in the CLI), and the file carries no time of
    # drawing nor random ids: the same query gives the same bytes.
    target = tmp_path / f"map.{fmt}"
    options = ["--year", "2012", "--scheme", "equal_interval", "--k", "4", "--lang", "en"]
    if fmt == "png":
        options += ["--dpi", "72"]
    result = runner.invoke(
        args=["render", "map", "--layer", "social_assistance_rate", *options, "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    query = "year=2012&scheme=equal_interval&k=4&lang=en" + ("&dpi=72" if fmt == "png" else "")
    served = get(client, f"/map/social_assistance_rate.{fmt}?{query}").data
    assert served == target.read_bytes()
    # Drawn twice, the page is the same too (not only served from the cache).
    with client.application.app_context():
        from app.cache import page_cache

        page_cache().clear()
    assert get(client, f"/map/social_assistance_rate.{fmt}?{query}").data == served


# --------------------------------------------------------------------------- print-clean exports

POLISH_SOURCE = "Źródło: ilustracyjne wartości demonstracyjne, nieoficjalne"
ENGLISH_SOURCE = "Source: illustrative demo values, not official"


def _svg_text(svg: bytes) -> str:
    """The words of an SVG's texts (matplotlib writes text as text), lines joined by spaces."""
    root = ET.fromstring(svg)
    words = " ".join("".join(e.itertext()) for e in root.iter() if e.tag.endswith("text"))
    return " ".join(words.split())


def _pdf_words(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext missing: make test installs poppler-utils")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(text.stdout.decode("utf-8").split())


@pytest.mark.parametrize("layer", ["needs_index", "social_assistance_rate"])
def test_exports_print_the_source_in_the_exports_language(client: FlaskClient, layer: str) -> None:
    polish_svg = _svg_text(get(client, f"/mapa/{layer}.svg?width=160&height=200").data)
    english_svg = _svg_text(get(client, f"/map/{layer}.svg?width=160&height=200&lang=en").data)
    assert POLISH_SOURCE in polish_svg and "illustrative" not in polish_svg
    assert ENGLISH_SOURCE in english_svg and "ilustracyjne" not in english_svg
    polish_pdf = _pdf_words(get(client, f"/mapa/{layer}.pdf?dpi=72&lang=pl").data)
    english_pdf = _pdf_words(get(client, f"/map/{layer}.pdf?dpi=72&lang=en").data)
    assert POLISH_SOURCE in polish_pdf and "illustrative" not in polish_pdf
    assert ENGLISH_SOURCE in english_pdf and "ilustracyjne" not in english_pdf
    if layer.endswith("_rate"):  # the denominator's source too
        assert "mieszkańcy zameldowani" in polish_svg
        assert "registered residents" in english_svg
    sheet = _pdf_words(get(client, "/obszary/karta.pdf?year=2013&lang=pl").data)
    assert "ilustracyjne wartości demonstracyjne" in sheet and "illustrative" not in sheet


def test_legend_of_a_map_with_every_district_has_no_no_data_entry(client: FlaskClient) -> None:
    svg = _svg_text(get(client, "/mapa/needs_index.svg?width=160&height=200").data)
    assert "brak danych lub ukryte" not in svg
    assert "Wskaźnik potrzeb" in svg
