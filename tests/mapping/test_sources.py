"""A data source's text in both languages, or one named language, in the existing text field."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from mapping.indicators.registry import IndicatorRegistry
from mapping.io.readers import read_indicator_definitions
from mapping.pages.labels import source_text
from mapping.pages.text import Translator
from mapping.text import source_in, source_languages

DEFINITIONS = (
    "code,name_pl,name_en,unit,higher_is_more_need,denominator,source\n"
    "residents,mieszkańcy,residents,osoby,false,,"
    '"[pl] ewidencja ludności, 2024 [en] population register, 2024"\n'
    "crimes,przestępstwa,crimes,osoby,true,residents,[en] Police records\n"
    "evictions,eksmisje,evictions,osoby,true,residents,Sąd Rejonowy\n"
).encode()


def _polish(tmp_path: Path) -> Translator:
    source = Path(__file__).resolve().parents[2] / "app" / "translations" / "pl" / "LC_MESSAGES"
    target = tmp_path / "pl" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (source / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="pl")
    with (target / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    return Translator.from_catalogues(tmp_path, "pl")


def test_an_imported_definition_keeps_both_languages_and_prints_the_readers(
    tmp_path: Path,
) -> None:
    frame, report = read_indicator_definitions(DEFINITIONS, filename="definicje.csv")
    assert not report.errors()
    registry = IndicatorRegistry(frame)
    # stored as given: an export of the definitions writes the same text back
    assert registry["residents"].source == (
        "[pl] ewidencja ludności, 2024 [en] population register, 2024"
    )
    polish, english = _polish(tmp_path), Translator.plain("en")
    assert source_text(registry["residents"].source, polish) == "ewidencja ludności, 2024"
    assert source_text(registry["residents"].source, english) == "population register, 2024"
    # a source known in English only says so on a Polish export, and prints plainly in English
    assert source_text(registry["crimes"].source, polish) == "Police records (po angielsku)"
    assert source_text(registry["crimes"].source, english) == "Police records"
    # an untagged source is printed as given
    assert source_text(registry["evictions"].source, polish) == "Sąd Rejonowy"


def test_tags_only_count_at_the_start_and_empty_parts_are_dropped() -> None:
    assert source_languages("  [en]   [pl] tylko polski ") == {"pl": "tylko polski"}
    assert source_languages("Raport [pl] 2024") == {"": "Raport [pl] 2024"}
    assert source_in("[pl] tylko polski", "en") == ("tylko polski", "pl")
