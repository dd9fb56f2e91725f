"""The resource categories of a Local Activity Programme (programme section III).

Seeded into ``resource_category`` by the first migration. Colours are Paul Tol's colour-blind-safe
qualitative palettes ("muted" plus two from "light"), so that neighbouring categories stay apart
for readers with a colour-vision deficiency.
"""

from __future__ import annotations

from typing import Final, NamedTuple


class Category(NamedTuple):
    """One seeded category."""

    code: str
    name_pl: str
    name_en: str
    aliases: str
    colour: str


DEFAULT_CATEGORIES: Final[tuple[Category, ...]] = (
    Category(
        "rada_osiedla",
        "siedziba wspólnoty samorządowej",
        "seat of a district council",
        "rada osiedla|wspólnota samorządowa",
        "#332288",
    ),
    Category(
        "mops",
        "MOPS",
        "social welfare centre office",
        "siedziba MOPS|punkt MOPS|ośrodek pomocy społecznej",
        "#CC6677",
    ),
    Category(
        "swietlica",
        "świetlica środowiskowa",
        "community day room for children",
        "świetlica opiekuńczo-wychowawcza|świetlica",
        "#DDCC77",
    ),
    Category(
        "sala_gimnastyczna", "sala gimnastyczna", "school gym", "hala sportowa szkoły", "#117733"
    ),
    Category("boisko", "boisko szkolne", "school pitch", "boisko", "#44AA99"),
    Category("kis", "Klub Integracji Społecznej", "social integration club", "KIS", "#882255"),
    Category(
        "obiekt_sportowy",
        "obiekt sportowy",
        "sports or recreation facility",
        "obiekt rekreacyjny|obiekt sportowo-rekreacyjny",
        "#999933",
    ),
    Category("pracownia_komputerowa", "pracownia komputerowa", "computer lab", "", "#88CCEE"),
    Category("plac_zabaw", "plac zabaw", "playground", "", "#AA4499"),
    Category(
        "lokal_komunalny", "lokal komunalny", "municipal premises", "zasób komunalny", "#EE8866"
    ),
    Category(
        "ngo",
        "organizacja pozarządowa",
        "non-governmental organisation",
        "NGO|stowarzyszenie|fundacja",
        "#77AADD",
    ),
)
