"""CONTRIBUTING.md, "Add an indicator": indicators are data, and a new one becomes map layers.

The recipe: a definitions file and its values through ``palmap import indicators --define``; no
code changes. This test follows it on the demo database and checks every place the recipe
promises: the registry, :func:`mapping.layers.list_layers`, the layer's years and its map page.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app.db import get_engine
from mapping.analysis import AnalysisData
from mapping.db import store
from mapping.layers import find_layer, layer_years, list_layers


def test_a_new_indicator_is_imported_as_data_and_listed_as_map_layers(
    app: Flask, runner: FlaskCliRunner, client: FlaskClient, tmp_path: Path
) -> None:
    engine = get_engine(app)
    codes = list(store.load_districts(engine)["code"])
    define = tmp_path / "homeless.csv"
    define.write_text(
        "code,name_pl,name_en,unit,higher_is_more_need,denominator,source\n"
        "homeless,osoby w kryzysie bezdomności,homeless people,osoby,true,residents,MOPS\n",
        encoding="utf-8",
    )
    values = tmp_path / "values.csv"
    values.write_text(
        "district,year,indicator,value\n"
        + "".join(f"{code},2021,homeless,{10 + i}\n" for i, code in enumerate(codes)),
        encoding="utf-8",
    )
    before = [layer.code for layer in list_layers(AnalysisData.from_store(engine).registry)]
    assert "homeless" not in before

    result = runner.invoke(args=["import", "indicators", str(values), "--define", str(define)])
    assert result.exit_code == 0, result.output

    data = AnalysisData.from_store(engine)
    after = [layer.code for layer in list_layers(data.registry)]
    assert sorted(set(after) - set(before)) == ["homeless", "homeless_rate"]
    assert after.index("homeless_rate") == after.index("homeless") + 1
    assert after[-1] == "needs_index"
    assert data.registry["homeless"].source == "MOPS"
    assert layer_years(data, find_layer(data.registry, "homeless_rate")) == [2021]
    page = client.get("/map/homeless_rate?year=2021&lang=en")
    assert page.status_code == 200
    assert "<h1>Homeless people per 1,000, 2021</h1>" in page.get_data(as_text=True)
