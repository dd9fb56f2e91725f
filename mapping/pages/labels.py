"""The names a page shows for layers, units, sources, categories and class schemes, in the
reader's language (through the :class:`~mapping.pages.text.Translator` passed in)."""

from __future__ import annotations

from collections.abc import Mapping

from mapping.analysis import AnalysisData
from mapping.classify import Scheme
from mapping.layers import Layer, list_layers
from mapping.pages.text import Translator
from mapping.text import source_in

#: Class schemes offered on the map pages (user_defined needs bins, which no page asks for).
SCHEMES: tuple[Scheme, ...] = ("quantiles", "equal_interval", "fisher_jenks")
#: Units of the indicator registry that the interface translates (as "persons").
PERSON_UNITS: frozenset[str] = frozenset({"osoby", "persons"})


def scheme_names(tr: Translator) -> dict[str, str]:
    """Class scheme code -> its name (the form on the pages, the subtitle of the exports)."""
    return {
        "quantiles": tr("quantiles (equal counts)"),
        "equal_interval": tr("equal intervals"),
        "fisher_jenks": tr("natural breaks (Fisher-Jenks)"),
    }


def scheme_choices(tr: Translator) -> list[tuple[str, str]]:
    """(code, name) of every class scheme, in the order offered."""
    names = scheme_names(tr)
    return [(code, names[code]) for code in SCHEMES]


def indicator_name(data: AnalysisData, code: str, tr: Translator) -> str:
    """The indicator's name in the language, with a capital first letter."""
    text = data.registry.label(code, lang=tr.lang)
    return text[:1].upper() + text[1:]


def layer_label(data: AnalysisData, layer: Layer, tr: Translator) -> str:
    """A layer's name."""
    if layer.kind == "index":
        return tr("Needs index")
    assert layer.indicator is not None
    name = indicator_name(data, layer.indicator.code, tr)
    if layer.kind == "rate":
        return tr("%(name)s per 1,000", name=name)
    return name


def layer_unit(data: AnalysisData, layer: Layer, tr: Translator, *, method: str = "zscore") -> str:
    """The unit line of a layer's legend."""
    if layer.kind == "index":
        if method == "imd":
            return tr("weighted sum of IMD scores, 0 to 100")
        return tr("weighted mean of z-scores")
    assert layer.indicator is not None
    if layer.kind == "rate":
        denominator = layer.indicator.denominator or ""
        return tr(
            "per 1,000 %(denominator)s",
            denominator=data.registry.label(denominator, lang=tr.lang),
        )
    unit = layer.indicator.unit
    return tr("persons") if unit.strip().lower() in PERSON_UNITS else unit


def source_text(source: str | None, tr: Translator) -> str:
    """A data source's text in the reader's language (``[pl] ... [en] ...``, see
    :func:`mapping.text.source_languages`); a source known in the other language only says so.

    Examples
    --------
    >>> tr = Translator.plain("pl")
    >>> source_text("[pl] dane MOPS [en] MOPS data", tr), source_text("[en] MOPS data", tr)
    ('dane MOPS', 'MOPS data (in English)')
    >>> source_text("PUP", tr), source_text(None, tr)
    ('PUP', 'unknown')
    """
    text, lang = source_in(source, tr.lang)
    if not text:
        return tr("unknown")
    if lang == "pl":
        return tr("%(source)s (in Polish)", source=text)
    if lang == "en":
        return tr("%(source)s (in English)", source=text)
    return text


def layer_source(
    data: AnalysisData, layer: Layer, tr: Translator, weights: Mapping[str, float] | None
) -> str:
    """The source of a layer's data (the indicators' sources; for rates, the denominator's too)."""
    if layer.kind == "index":
        codes = list(weights) if weights else data.needs_codes()
    else:
        assert layer.indicator is not None
        codes = [layer.indicator.code]
        if layer.kind == "rate" and layer.indicator.denominator:
            codes.append(layer.indicator.denominator)
    parts: list[str] = []
    for code in codes:
        source = source_text(data.registry[code].source, tr)
        if source not in parts:
            parts.append(source)
    return "; ".join(parts)


def layer_options(data: AnalysisData, tr: Translator) -> list[tuple[str, str]]:
    """(code, label) of every layer, for a select."""
    return [(layer.code, layer_label(data, layer, tr)) for layer in list_layers(data.registry)]


def category_names(data: AnalysisData, tr: Translator) -> dict[str, str]:
    """Resource category code -> its name in the language (Polish, then the code, when that name
    is missing)."""
    column = f"name_{tr.lang}" if f"name_{tr.lang}" in data.categories else "name_pl"
    return {
        str(code): str(name or polish or code)
        for code, name, polish in zip(
            data.categories["code"],
            data.categories[column],
            data.categories["name_pl"],
            strict=True,
        )
    }


def district_names(data: AnalysisData) -> dict[str, str]:
    """District code -> name."""
    districts = data.districts
    return {
        str(code): str(name)
        for code, name in zip(districts["code"], districts["name"], strict=True)
    }


def map_labels(tr: Translator) -> dict[str, str]:
    """The interface strings an interactive map itself shows."""
    return {
        "districts": tr("Districts"),
        "legend": tr("Resources"),
        "schematic_note": tr("Schematic boundaries, not official"),
        "category": tr("Category"),
        "address": tr("Address"),
        "operator": tr("Operator"),
        "website": tr("Website"),
    }
