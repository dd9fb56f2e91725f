"""Generate the Wałbrzych demo data set of palmap.

This is the only place where Wałbrzych-specific data lives. The facts it starts from (district
names, approximate centre points, the 2021 resident figures published by the city and three real
addresses) come from ``WALBRZYCH.md``; everything else is invented, deterministically, and flagged
as such in the files (see ``README.md`` next to this script).

Usage::

    python data/demo/generate.py                 # rewrite the files next to this script
    python data/demo/generate.py --output-dir DIR
    python data/demo/generate.py --check         # exit 1 if the committed files are stale

The functions are importable (the tests load this file with ``importlib``); only :func:`main`
prints.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer
from shapely import MultiPolygon, Point

from mapping.crs import METRIC_CRS, WEB_CRS
from mapping.frames import BOOLEAN_TEXT, RESOURCE_FILE_COLUMNS
from mapping.schematic import schematic_outline, voronoi_districts
from mapping.text import slugify

HERE = Path(__file__).resolve().parent
SEED = 2010
# Area of the city (gmina miejska Wałbrzych, TERYT 0265011); the schematic outline gets this area.
CITY_AREA_KM2 = 84.7
YEARS: tuple[int, ...] = (2010, 2011, 2012, 2013, 2021)
# Invented points keep this distance (metres) from their district's border, with room for rounding.
BORDER_CLEARANCE_M = 50.0
_SAMPLING_CLEARANCE_M = 75.0

DISTRICTS_FILE = "districts.geojson"
RESOURCES_FILE = "resources.csv"
INDICATORS_FILE = "indicators.csv"
INDICATOR_VALUES_FILE = "indicator_values.csv"
OUTPUT_FILES: tuple[str, ...] = (
    DISTRICTS_FILE,
    RESOURCES_FILE,
    INDICATORS_FILE,
    INDICATOR_VALUES_FILE,
)

DISTRICT_SOURCE = (
    "schematic boundaries, not official: Voronoi cells around approximate district centre points, "
    "clipped to a schematic city outline"
)
INVENTED_SOURCE = "demo (invented)"
REAL_ADDRESS_SOURCE = (
    "address published by the city; coordinates not known; district assigned approximately"
)
# Indicator sources are given in Polish and English, each after its language tag (see
# mapping.text.source_languages): a map or sheet exported in Polish prints the Polish text.
ILLUSTRATIVE_SOURCE = (
    "[pl] ilustracyjne wartości demonstracyjne, nieoficjalne "
    "[en] illustrative demo values, not official"
)
RESIDENTS_SOURCE = (
    "[pl] mieszkańcy zameldowani; wartości z 2021 r. opublikowane przez miasto dla całego miasta "
    "oraz dla Podzamcza, Piaskowej Góry, Białego Kamienia i Lubiechowa, pozostałe ilustracyjne "
    "[en] registered residents; 2021 values published by the city for the total and for "
    "Podzamcze, Piaskowa Góra, Biały Kamień and Lubiechów, other values illustrative"
)

# Approximate centre points (name, lat, lon) from WALBRZYCH.md: good to a few hundred metres.
CENTRES: tuple[tuple[str, float, float], ...] = (
    ("Biały Kamień", 50.7810, 16.2630),
    ("Śródmieście", 50.7714, 16.2843),
    ("Gaj", 50.7880, 16.2920),
    ("Glinik Nowy", 50.7450, 16.2600),
    ("Glinik Stary", 50.7370, 16.2480),
    ("Konradów", 50.7950, 16.2420),
    ("Kozice", 50.7450, 16.2990),
    ("Książ", 50.8400, 16.2900),
    ("Lubiechów", 50.8270, 16.3110),
    ("Nowe Miasto", 50.7650, 16.2760),
    ("Nowy Poniatów", 50.7630, 16.3200),
    ("Osiedle Wanda", 50.7520, 16.2880),
    ("Piaskowa Góra", 50.7925, 16.2605),
    ("Podgórze I", 50.7560, 16.2700),
    ("Podgórze II", 50.7500, 16.2790),
    ("Podzamcze", 50.8075, 16.2840),
    ("Poniatów", 50.7700, 16.3130),
    ("Rusinowa", 50.7780, 16.3300),
    ("Sobięcin", 50.7850, 16.3080),
    ("Stary Zdrój", 50.7590, 16.2960),
    ("Szczawienko", 50.8125, 16.2600),
)

# Districts that hold the six social-crisis sub-areas of the revitalisation programme 2016-2025.
CRISIS_DISTRICTS: frozenset[str] = frozenset(
    {
        "Biały Kamień",
        "Stary Zdrój",
        "Śródmieście",
        "Sobięcin",
        "Nowe Miasto",
        "Podgórze I",
        "Podgórze II",
    }
)

RESIDENTS_TOTAL_2021 = 95_117
# Published by the city for 2021: the total and these four districts. The others are invented
# plausible figures that sum to the remainder; Lubiechów stays the smallest district, as in 2018.
RESIDENTS_2021: dict[str, int] = {
    "Podzamcze": 19_301,
    "Piaskowa Góra": 16_897,
    "Biały Kamień": 9_885,
    "Lubiechów": 405,
    # invented:
    "Śródmieście": 8_631,
    "Nowe Miasto": 7_093,
    "Sobięcin": 5_612,
    "Stary Zdrój": 4_931,
    "Podgórze I": 4_287,
    "Podgórze II": 3_164,
    "Gaj": 2_118,
    "Szczawienko": 2_046,
    "Nowy Poniatów": 1_874,
    "Osiedle Wanda": 1_782,
    "Poniatów": 1_593,
    "Konradów": 1_486,
    "Glinik Nowy": 1_297,
    "Glinik Stary": 912,
    "Kozice": 688,
    "Rusinowa": 603,
    "Książ": 512,
}
PUBLISHED_2021: frozenset[str] = frozenset(
    {"Podzamcze", "Piaskowa Góra", "Biały Kamień", "Lubiechów"}
)
# Illustrative city totals for the programme years, falling from about 119,000 in 2010.
RESIDENTS_TOTALS: dict[int, int] = {
    2010: 118_942,
    2011: 117_683,
    2012: 116_437,
    2013: 115_154,
    2021: RESIDENTS_TOTAL_2021,
}

CATEGORY_CODES: tuple[str, ...] = (
    "rada_osiedla",
    "mops",
    "swietlica",
    "sala_gimnastyczna",
    "boisko",
    "kis",
    "obiekt_sportowy",
    "pracownia_komputerowa",
    "plac_zabaw",
    "lokal_komunalny",
    "ngo",
)
# Invented resources per district besides its district council seat (every district gets one).
# More day rooms and MOPS points in the crisis districts; some outer districts get nothing else,
# so that gaps show on the maps.
RESOURCE_PLAN: dict[str, dict[str, int]] = {
    "Biały Kamień": {
        "mops": 1,
        "swietlica": 2,
        "sala_gimnastyczna": 1,
        "boisko": 1,
        "kis": 1,
        "pracownia_komputerowa": 1,
        "plac_zabaw": 1,
        "ngo": 1,
    },
    "Śródmieście": {
        "swietlica": 2,
        "sala_gimnastyczna": 1,
        "boisko": 1,
        "kis": 1,
        "pracownia_komputerowa": 1,
        "plac_zabaw": 1,
        "lokal_komunalny": 2,
        "ngo": 3,
    },
    "Gaj": {"sala_gimnastyczna": 1, "boisko": 1, "plac_zabaw": 1},
    "Glinik Nowy": {"plac_zabaw": 1},
    "Glinik Stary": {},
    "Konradów": {"boisko": 1, "plac_zabaw": 1},
    "Kozice": {"obiekt_sportowy": 1},
    "Książ": {},
    "Lubiechów": {},
    "Nowe Miasto": {
        "mops": 1,
        "swietlica": 2,
        "sala_gimnastyczna": 1,
        "boisko": 1,
        "obiekt_sportowy": 1,
        "plac_zabaw": 1,
        "lokal_komunalny": 1,
        "ngo": 1,
    },
    "Nowy Poniatów": {"plac_zabaw": 1},
    "Osiedle Wanda": {"plac_zabaw": 1},
    "Piaskowa Góra": {
        "mops": 1,
        "swietlica": 1,
        "sala_gimnastyczna": 2,
        "boisko": 2,
        "obiekt_sportowy": 1,
        "pracownia_komputerowa": 1,
        "plac_zabaw": 3,
        "ngo": 1,
    },
    "Podgórze I": {"mops": 1, "swietlica": 1, "sala_gimnastyczna": 1, "plac_zabaw": 1},
    "Podgórze II": {"swietlica": 1, "kis": 1, "lokal_komunalny": 1},
    "Podzamcze": {
        "mops": 1,
        "swietlica": 1,
        "sala_gimnastyczna": 2,
        "boisko": 2,
        "obiekt_sportowy": 1,
        "pracownia_komputerowa": 1,
        "plac_zabaw": 3,
        "ngo": 1,
    },
    "Poniatów": {"boisko": 1, "plac_zabaw": 1},
    "Rusinowa": {},
    "Sobięcin": {
        "mops": 1,
        "swietlica": 2,
        "sala_gimnastyczna": 1,
        "boisko": 1,
        "kis": 1,
        "pracownia_komputerowa": 1,
        "lokal_komunalny": 1,
        "ngo": 1,
    },
    "Stary Zdrój": {
        "mops": 1,
        "swietlica": 2,
        "boisko": 1,
        "obiekt_sportowy": 1,
        "lokal_komunalny": 1,
        "ngo": 1,
    },
    "Szczawienko": {
        "sala_gimnastyczna": 1,
        "boisko": 1,
        "obiekt_sportowy": 1,
        "plac_zabaw": 1,
    },
}

# Invented street names for invented resources (the rows are flagged synthetic).
STREETS: tuple[str, ...] = (
    "Jarzębinowa",
    "Kasztanowa",
    "Lipowa",
    "Klonowa",
    "Modrzewiowa",
    "Słoneczna",
    "Wrzosowa",
    "Leśna",
    "Polna",
    "Zielona",
    "Ogrodowa",
    "Spacerowa",
    "Cicha",
    "Krótka",
    "Szkolna",
    "Sportowa",
    "Sosnowa",
    "Jaworowa",
    "Bukowa",
    "Grabowa",
    "Orzechowa",
    "Tęczowa",
    "Pogodna",
    "Widokowa",
)
NGO_NAMES: tuple[str, ...] = (
    "Stowarzyszenie Sąsiedzkie „Razem”",
    "Fundacja Pomocy Rodzinie „Przystań”",
    "Stowarzyszenie Aktywni Seniorzy",
    "Fundacja „Dobry Start”",
    "Stowarzyszenie na rzecz Osób z Niepełnosprawnościami „Krok”",
    "Klub Sportowy „Iskra” (stowarzyszenie)",
    "Fundacja Rozwoju Dzielnic",
    "Stowarzyszenie Młodzieżowe „Most”",
    "Fundacja Wspólna Kuchnia",
    "Stowarzyszenie Kobiet Aktywnych",
    "Fundacja „Otwarte Drzwi”",
    "Stowarzyszenie Przyjaciół Dzieci „Promyk”",
)
SPORTS_FACILITIES: tuple[str, ...] = (
    "Kompleks boisk osiedlowych",
    "Siłownia plenerowa",
    "Skatepark",
    "Hala sportowa osiedlowa",
    "Korty tenisowe",
    "Ścieżka rowerowa z miejscem rekreacji",
)
OPENING_HOURS: dict[str, str] = {
    "rada_osiedla": "Tu 16:00-18:00",
    "mops": "Mo-Fr 07:30-15:30",
    "swietlica": "Mo-Fr 12:00-18:00",
    "kis": "Mo-Fr 08:00-16:00",
    "pracownia_komputerowa": "Mo-Fr 10:00-18:00",
}
# Inclusive ranges of invented capacities (places) for the categories that have one.
CAPACITY_RANGES: dict[str, tuple[int, int]] = {
    "swietlica": (15, 35),
    "kis": (12, 30),
    "sala_gimnastyczna": (40, 120),
    "pracownia_komputerowa": (8, 16),
}

# The loader's column list, so that what is written is what is read.
RESOURCE_FIELDS: tuple[str, ...] = RESOURCE_FILE_COLUMNS
INDICATOR_FIELDS: tuple[str, ...] = (
    "code",
    "name_pl",
    "name_en",
    "unit",
    "higher_is_more_need",
    "denominator",
    "description",
    "source",
    "domain",
)
INDICATOR_VALUE_FIELDS: tuple[str, ...] = ("district_code", "indicator", "year", "value")


@dataclass(frozen=True)
class NeedsModel:
    """How one illustrative needs indicator is drawn (rates are shares of residents)."""

    code: str
    crisis_rate: tuple[float, float]
    other_rate: tuple[float, float]
    # Multiplier of the 2013 rate in 2021 (for example, lower unemployment after 2013).
    change_to_2021: float
    rate_limits: tuple[float, float]


NEEDS_MODELS: tuple[NeedsModel, ...] = (
    NeedsModel("social_assistance", (0.10, 0.14), (0.035, 0.065), 0.8, (0.03, 0.15)),
    NeedsModel("long_term_unemployed", (0.04, 0.06), (0.015, 0.03), 0.55, (0.005, 0.08)),
    NeedsModel("children_assisted", (0.03, 0.05), (0.008, 0.02), 0.8, (0.003, 0.06)),
    NeedsModel("disability_support", (0.02, 0.03), (0.012, 0.02), 1.1, (0.005, 0.04)),
)

AGE_GROUP_SOURCE = (
    "[pl] wymyślony podział mieszkańców na grupy wieku, nieoficjalny "
    "[en] invented split of the residents into age groups, not official"
)
# The invented age structure (section 4 of the generator): the share of residents aged 0-17 and
# 65+ in 2021, drawn per district (crisis districts a little younger), and how the shares moved
# per year before 2021 (fewer children, more older people every year: an ageing city).
AGE_SHARES_2021: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "crisis": ((0.17, 0.21), (0.17, 0.22)),
    "other": ((0.13, 0.17), (0.20, 0.28)),
}
CHILDREN_SHARE_FALL_PER_YEAR = 0.012
OLDER_SHARE_RISE_PER_YEAR = 0.022
AGE_GROUPS: tuple[tuple[str, str, str, str], ...] = (
    ("residents_0_17", "mieszkańcy w wieku 0-17 lat", "residents aged 0-17", "0-17"),
    ("residents_18_64", "mieszkańcy w wieku 18-64 lata", "residents aged 18-64", "18-64"),
    ("residents_65_plus", "mieszkańcy w wieku 65 lat i więcej", "residents aged 65+", "65+"),
)
AGE_GROUP_INDICATORS: tuple[dict[str, str], ...] = tuple(
    {
        "code": code,
        "name_pl": name_pl,
        "name_en": name_en,
        "unit": "osoby",
        "higher_is_more_need": "false",
        "denominator": "",
        "description": f"Registered residents aged {ages} (invented split of the residents; the "
        "three age groups add up to the residents); the denominator of rates of that age group.",
        "source": AGE_GROUP_SOURCE,
        "domain": "",
    }
    for code, name_pl, name_en, ages in AGE_GROUPS
)

INDICATORS: tuple[dict[str, str], ...] = (
    {
        "code": "residents",
        "name_pl": "mieszkańcy",
        "name_en": "residents",
        "unit": "osoby",
        "higher_is_more_need": "false",
        "denominator": "",
        "description": "Registered residents of the district (zameldowani); the denominator of "
        "the rates.",
        "source": RESIDENTS_SOURCE,
        "domain": "",
    },
    *AGE_GROUP_INDICATORS,
    {
        "code": "social_assistance",
        "name_pl": "osoby korzystające z pomocy społecznej",
        "name_en": "beneficiaries of social assistance",
        "unit": "osoby",
        "higher_is_more_need": "true",
        "denominator": "residents",
        "description": "People in households receiving social assistance benefits during the year.",
        "source": ILLUSTRATIVE_SOURCE,
        "domain": "income",
    },
    {
        "code": "long_term_unemployed",
        "name_pl": "osoby długotrwale bezrobotne",
        "name_en": "long-term unemployed",
        "unit": "osoby",
        "higher_is_more_need": "true",
        "denominator": "residents_18_64",
        "description": "Registered unemployed for more than 12 of the last 24 months, per "
        "residents of working age (18-64).",
        "source": ILLUSTRATIVE_SOURCE,
        "domain": "labour",
    },
    {
        "code": "children_assisted",
        "name_pl": "dzieci w rodzinach korzystających z pomocy społecznej",
        "name_en": "children in families receiving social assistance",
        "unit": "osoby",
        "higher_is_more_need": "true",
        "denominator": "residents_0_17",
        "description": "Children and young people under 18 in families receiving social "
        "assistance, per residents aged 0-17.",
        "source": ILLUSTRATIVE_SOURCE,
        "domain": "children",
    },
    {
        "code": "disability_support",
        "name_pl": "osoby z niepełnosprawnościami objęte wsparciem",
        "name_en": "people with disabilities receiving support",
        "unit": "osoby",
        "higher_is_more_need": "true",
        "denominator": "residents",
        "description": "People with a disability certificate receiving support from the social "
        "welfare system.",
        "source": ILLUSTRATIVE_SOURCE,
        "domain": "disability",
    },
)

# The three real addresses of WALBRZYCH.md. Their coordinates are not known, so they have no
# point; the district is an approximate assignment (all three are taken to be in Śródmieście).
REAL_RESOURCES: tuple[dict[str, str], ...] = (
    {
        "name": "MOPS – ośrodki wsparcia dziennego",
        "category": "mops",
        "address": "ul. Mickiewicza 26",
        "district": "Śródmieście",
        "operator": "MOPS w Wałbrzychu",
        "description": "Ośrodki wsparcia dziennego MOPS, prowadzące świetlice środowiskowe.",
    },
    {
        "name": "Centrum Wsparcia Socjalnego",
        "category": "mops",
        "address": "ul. Beethovena 24a",
        "district": "Śródmieście",
        "operator": "",
        "description": "Schronisko, łaźnia, interwencja kryzysowa.",
    },
    {
        "name": "Ogrzewalnia (w sezonie zimowym)",
        "category": "mops",
        "address": "ul. Beethovena 1A",
        "district": "Śródmieście",
        "operator": "",
        "description": "Zimowa ogrzewalnia dla osób w kryzysie bezdomności.",
    },
)


def _rng(section: int) -> np.random.Generator:
    """Return the seeded generator of one section, so sections do not shift each other."""
    return np.random.default_rng([SEED, section])


def district_codes() -> dict[str, str]:
    """Return the code of every district, by name.

    Examples
    --------
    >>> district_codes()["Podgórze II"]
    'podgorze-ii'
    """
    return {name: slugify(name) for name, _, _ in CENTRES}


def build_districts() -> gpd.GeoDataFrame:
    """Return the 21 schematic districts (code, name, source, schematic, geometry), by code.

    Examples
    --------
    >>> districts = build_districts()
    >>> len(districts), districts.crs.to_epsg()
    (21, 4326)
    """
    names = [name for name, _, _ in CENTRES]
    points = gpd.GeoDataFrame(
        {
            "code": [slugify(name) for name in names],
            "name": names,
            "source": DISTRICT_SOURCE,
            "schematic": True,
        },
        geometry=[Point(lon, lat) for _, lat, lon in CENTRES],
        crs=WEB_CRS,
    )
    outline = schematic_outline(points, area_km2=CITY_AREA_KM2)
    districts = voronoi_districts(points, outline)
    return districts.sort_values("code", kind="stable").reset_index(drop=True)


def _format_coordinate(value: float) -> float:
    """Round to six decimals; ``json`` writes the shortest repr, so the text is stable."""
    rounded = round(float(value), 6)
    return 0.0 if rounded == 0 else rounded


def _rings(polygon: shapely.Polygon) -> list[list[list[float]]]:
    rings = [polygon.exterior, *polygon.interiors]
    return [
        [[_format_coordinate(x), _format_coordinate(y)] for x, y in ring.coords] for ring in rings
    ]


def render_districts(districts: gpd.GeoDataFrame) -> bytes:
    """Return the districts as RFC 7946 GeoJSON, one feature per line, UTF-8.

    Examples
    --------
    >>> text = render_districts(build_districts()).decode("utf-8")
    >>> text.startswith('{"type": "FeatureCollection"')
    True
    """
    lines = []
    for row in districts.itertuples(index=False):
        geometry = row.geometry
        if not isinstance(geometry, MultiPolygon):
            geometry = MultiPolygon([geometry])
        feature = {
            "type": "Feature",
            "properties": {
                "code": row.code,
                "name": row.name,
                "source": row.source,
                "schematic": bool(row.schematic),
            },
            "geometry": {
                "type": "MultiPolygon",
                "coordinates": [_rings(polygon) for polygon in geometry.geoms],
            },
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(", ", ": ")))
    body = ",\n".join(lines)
    return ('{"type": "FeatureCollection", "features": [\n' + body + "\n]}\n").encode("utf-8")


def _render_csv(fields: Sequence[str], rows: Iterable[Mapping[str, object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(fields), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({field: "" if row[field] is None else row[field] for field in fields})
    return buffer.getvalue().encode("utf-8")


def _place_point(
    district_metric: shapely.Geometry,
    centre_metric: Point,
    rng: np.random.Generator,
    to_web: Transformer,
    to_metric: Transformer,
) -> tuple[float, float]:
    """Draw a point in the district, at least BORDER_CLEARANCE_M from its border; (lat, lon)."""
    inner = district_metric.buffer(-_SAMPLING_CLEARANCE_M)
    # Resources cluster around the built-up centre of a district rather than its forests.
    spread = min(700.0, max(250.0, math.sqrt(district_metric.area) / 4.0))
    minx, miny, maxx, maxy = inner.bounds
    for attempt in range(10_000):
        if attempt < 500:
            x, y = rng.normal((centre_metric.x, centre_metric.y), spread)
        else:
            x, y = rng.uniform((minx, miny), (maxx, maxy))
        if not inner.contains(Point(x, y)):
            continue
        lon, lat = to_web.transform(x, y)
        lat, lon = _format_coordinate(lat), _format_coordinate(lon)
        check = Point(*to_metric.transform(lon, lat))
        if (
            district_metric.contains(check)
            and district_metric.boundary.distance(check) >= BORDER_CLEARANCE_M
        ):
            return lat, lon
    raise RuntimeError("could not place a point in a district; is the district too small?")


def _resource_text(
    category: str, number: int, district: str, rng: np.random.Generator
) -> dict[str, str]:
    """Invent the name, address, operator and description of one resource."""
    street = STREETS[int(rng.integers(len(STREETS)))]
    address = f"ul. {street} {int(rng.integers(1, 60))}"
    if category == "rada_osiedla":
        return {
            "name": f"Rada Osiedla {district}",
            "address": address,
            "operator": "",
            "description": "Siedziba wspólnoty samorządowej (rady osiedla); dyżury radnych.",
        }
    if category == "mops":
        return {
            "name": f"Punkt MOPS – rejon opiekuńczy nr {number}",
            "address": address,
            "operator": "MOPS w Wałbrzychu",
            "description": "Punkt obsługi mieszkańców; pracownicy socjalni rejonu.",
        }
    if category == "swietlica":
        return {
            "name": f"Świetlica środowiskowa nr {number}",
            "address": address,
            "operator": "MOPS w Wałbrzychu",
            "description": "Zajęcia opiekuńcze i wychowawcze dla dzieci po lekcjach.",
        }
    if category in ("sala_gimnastyczna", "boisko"):
        kind = "Sala gimnastyczna" if category == "sala_gimnastyczna" else "Boisko szkolne"
        return {
            "name": f"{kind} Szkoły Podstawowej nr {number}",
            "address": address,
            "operator": f"Szkoła Podstawowa nr {number}",
            "description": "Udostępniana po lekcjach grupom mieszkańców.",
        }
    if category == "kis":
        return {
            "name": f"Klub Integracji Społecznej nr {number}",
            "address": address,
            "operator": "MOPS w Wałbrzychu",
            "description": "Reintegracja społeczna i zawodowa osób długotrwale bezrobotnych.",
        }
    if category == "obiekt_sportowy":
        kind = SPORTS_FACILITIES[(number - 1) % len(SPORTS_FACILITIES)]
        return {
            "name": f"{kind} przy ul. {street}",
            "address": address,
            "operator": "Gmina Wałbrzych",
            "description": "Ogólnodostępny obiekt sportowo-rekreacyjny.",
        }
    if category == "pracownia_komputerowa":
        return {
            "name": f"Pracownia komputerowa w filii biblioteki nr {number}",
            "address": address,
            "operator": "Biblioteka miejska",
            "description": "Bezpłatny dostęp do komputerów i internetu; kursy dla seniorów.",
        }
    if category == "plac_zabaw":
        return {
            "name": f"Plac zabaw przy ul. {street}",
            "address": address,
            "operator": "Gmina Wałbrzych",
            "description": "Ogólnodostępny plac zabaw dla dzieci.",
        }
    if category == "lokal_komunalny":
        return {
            "name": f"Lokal komunalny przy ul. {street}",
            "address": address,
            "operator": "Gmina Wałbrzych",
            "description": "Lokal komunalny do wykorzystania na działania środowiskowe.",
        }
    if category == "ngo":
        return {
            "name": NGO_NAMES[(number - 1) % len(NGO_NAMES)],
            "address": address,
            "operator": "",
            "description": "Organizacja pozarządowa działająca na rzecz mieszkańców.",
        }
    raise ValueError(f"unknown category {category!r}")


def build_resources(districts: gpd.GeoDataFrame) -> list[dict[str, object]]:
    """Return the resource rows: the three real addresses first, then the invented ones.

    Examples
    --------
    >>> rows = build_resources(build_districts())
    >>> rows[0]["external_id"], rows[0]["synthetic"], rows[0]["lat"]
    ('demo-0001', 'false', '')
    """
    codes = district_codes()
    rng = _rng(1)
    to_web = Transformer.from_crs(METRIC_CRS, WEB_CRS, always_xy=True)
    to_metric = Transformer.from_crs(WEB_CRS, METRIC_CRS, always_xy=True)
    polygons = dict(zip(districts["code"], districts.to_crs(METRIC_CRS).geometry, strict=True))
    centres = {codes[name]: Point(*to_metric.transform(lon, lat)) for name, lat, lon in CENTRES}
    rows: list[dict[str, object]] = []
    for real in REAL_RESOURCES:
        rows.append(
            {
                "name": real["name"],
                "category": real["category"],
                "address": real["address"],
                "district_code": codes[real["district"]],
                "lat": "",
                "lon": "",
                "capacity": "",
                "operator": real["operator"],
                "opening_hours": "",
                "description": real["description"]
                + " Adres rzeczywisty; przypisanie do osiedla przybliżone.",
                "source": REAL_ADDRESS_SOURCE,
                "synthetic": BOOLEAN_TEXT[False],
            }
        )
    numbers = dict.fromkeys(CATEGORY_CODES, 0)
    names_by_code = {codes[name]: name for name, _, _ in CENTRES}
    for code in sorted(names_by_code):
        name = names_by_code[code]
        plan = {"rada_osiedla": 1, **RESOURCE_PLAN[name]}
        for category in CATEGORY_CODES:
            for _ in range(plan.get(category, 0)):
                numbers[category] += 1
                text = _resource_text(category, numbers[category], name, rng)
                low_high = CAPACITY_RANGES.get(category)
                capacity = (
                    int(rng.integers(low_high[0], low_high[1] + 1)) if low_high is not None else ""
                )
                lat, lon = _place_point(polygons[code], centres[code], rng, to_web, to_metric)
                rows.append(
                    {
                        **text,
                        "category": category,
                        "district_code": code,
                        "lat": f"{lat:.6f}",
                        "lon": f"{lon:.6f}",
                        "capacity": capacity,
                        "opening_hours": OPENING_HOURS.get(category, ""),
                        "source": INVENTED_SOURCE,
                        "synthetic": BOOLEAN_TEXT[True],
                    }
                )
    for number, row in enumerate(rows, start=1):
        row["external_id"] = f"demo-{number:04d}"
        # No real-looking phone numbers and no websites in a demo.
        row["phone"] = ""
        row["website"] = ""
    return rows


def _apportion(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder)."""
    keys = sorted(weights)
    raw = np.array([weights[key] for key in keys], dtype=float)
    exact = raw / raw.sum() * total
    counts = np.floor(exact).astype(int)
    order = np.lexsort((np.arange(len(keys)), -(exact - counts)))
    counts[order[: total - int(counts.sum())]] += 1
    return {key: int(count) for key, count in zip(keys, counts, strict=True)}


def build_residents() -> dict[tuple[str, int], int]:
    """Return registered residents by (district name, year).

    2021 is the published/plausible table; earlier years spread the illustrative city totals
    over the districts with shares that drift a little per district.

    Examples
    --------
    >>> residents = build_residents()
    >>> residents["Podzamcze", 2021], sum(v for (_, y), v in residents.items() if y == 2010)
    (19301, 118942)
    """
    if sum(RESIDENTS_2021.values()) != RESIDENTS_TOTAL_2021:
        raise RuntimeError("RESIDENTS_2021 does not sum to the published 2021 total")
    rng = _rng(2)
    names = [name for name, _, _ in CENTRES]
    # Yearly drift of each district's share before 2021 (for example, large estates shrinking).
    # Kept below the yearly fall of the city total (about 1%), so that every district shrinks.
    drift = dict(
        zip(names, np.clip(rng.normal(0.0, 0.004, size=len(names)), -0.008, 0.008), strict=True)
    )
    result = {(name, 2021): RESIDENTS_2021[name] for name in names}
    for year in YEARS:
        if year == 2021:
            continue
        weights = {
            name: RESIDENTS_2021[name] * math.exp(drift[name] * (2021 - year)) for name in names
        }
        for name, count in _apportion(RESIDENTS_TOTALS[year], weights).items():
            result[name, year] = count
    return result


def build_age_groups(
    residents: Mapping[tuple[str, int], int],
) -> dict[tuple[str, str, int], int]:
    """Return residents by (district name, age group code, year); the groups add up to residents.

    Invented: the 0-17 and 65+ shares of 2021 are drawn per district (:data:`AGE_SHARES_2021`),
    earlier years have more children and fewer older people; 18-64 is the rest.

    Examples
    --------
    >>> residents = build_residents()
    >>> groups = build_age_groups(residents)
    >>> all(sum(groups[n, c, y] for c, *_ in AGE_GROUPS) == residents[n, y] for n, y in residents)
    True
    """
    rng = _rng(4)
    result: dict[tuple[str, str, int], int] = {}
    for name, _, _ in CENTRES:
        children_range, older_range = AGE_SHARES_2021[
            "crisis" if name in CRISIS_DISTRICTS else "other"
        ]
        children_2021 = float(rng.uniform(*children_range))
        older_2021 = float(rng.uniform(*older_range))
        for year in YEARS:
            people = residents[name, year]
            before = 2021 - year
            children = round(people * children_2021 * (1 + CHILDREN_SHARE_FALL_PER_YEAR) ** before)
            older = round(people * older_2021 * (1 - OLDER_SHARE_RISE_PER_YEAR) ** before)
            result[name, "residents_0_17", year] = children
            result[name, "residents_65_plus", year] = older
            result[name, "residents_18_64", year] = people - children - older
    return result


def build_indicator_values() -> list[dict[str, object]]:
    """Return the long table of indicator values for every district, indicator and year.

    Examples
    --------
    >>> rows = build_indicator_values()
    >>> len(rows)  # 21 districts x 8 indicators x 5 years
    840
    """
    residents = build_residents()
    rng = _rng(3)
    names = [name for name, _, _ in CENTRES]
    # One improving or worsening trend per district, shared by its indicators, plus noise.
    trend = dict(zip(names, rng.uniform(-0.06, 0.05, size=len(names)), strict=True))
    values: dict[tuple[str, str, int], int] = {}
    for name in names:
        for year in YEARS:
            values[name, "residents", year] = residents[name, year]
    for (name, code, year), count in build_age_groups(residents).items():
        values[name, code, year] = count
    for model in NEEDS_MODELS:
        for name in names:
            low, high = model.crisis_rate if name in CRISIS_DISTRICTS else model.other_rate
            rate = float(rng.uniform(low, high))
            own_trend = trend[name] + float(rng.normal(0.0, 0.01))
            for year in YEARS:
                if year == 2021:
                    factor = model.change_to_2021 * float(rng.uniform(0.85, 1.15))
                    year_rate = rate * (1 + own_trend) ** 3 * factor
                else:
                    year_rate = rate * (1 + own_trend) ** (year - 2010)
                year_rate *= 1 + float(rng.normal(0.0, 0.02))
                people = residents[name, year]
                # Clip the count, not only the rate, so that rounding keeps it within the limits.
                lowest = math.ceil(model.rate_limits[0] * people)
                highest = math.floor(model.rate_limits[1] * people)
                values[name, model.code, year] = min(
                    max(round(year_rate * people), lowest), highest
                )
    codes = district_codes()
    indicator_order = [indicator["code"] for indicator in INDICATORS]
    rows: list[dict[str, object]] = []
    for name in sorted(names, key=codes.__getitem__):
        for indicator in indicator_order:
            for year in YEARS:
                rows.append(
                    {
                        "district_code": codes[name],
                        "indicator": indicator,
                        "year": year,
                        "value": values[name, indicator, year],
                    }
                )
    return rows


def render_files() -> dict[str, bytes]:
    """Return the content of every output file, by file name.

    Examples
    --------
    >>> sorted(render_files())
    ['districts.geojson', 'indicator_values.csv', 'indicators.csv', 'resources.csv']
    """
    districts = build_districts()
    return {
        DISTRICTS_FILE: render_districts(districts),
        RESOURCES_FILE: _render_csv(RESOURCE_FIELDS, build_resources(districts)),
        INDICATORS_FILE: _render_csv(INDICATOR_FIELDS, INDICATORS),
        INDICATOR_VALUES_FILE: _render_csv(INDICATOR_VALUE_FIELDS, build_indicator_values()),
    }


def write_files(folder: Path) -> list[Path]:
    """Write the demo files into ``folder`` (created if missing); return their paths.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     [path.name for path in write_files(Path(tmp))]
    ['districts.geojson', 'resources.csv', 'indicators.csv', 'indicator_values.csv']
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in render_files().items():
        path = folder / name
        path.write_bytes(content)
        paths.append(path)
    return paths


def stale_files(folder: Path) -> list[str]:
    """Return the names of the files in ``folder`` that differ from what would be written.

    Examples
    --------
    >>> stale_files(HERE)
    []
    """
    stale = []
    for name, content in render_files().items():
        path = folder / name
        if not path.is_file() or path.read_bytes() != content:
            stale.append(name)
    return stale


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 written or up to date, 1 stale)."""
    parser = argparse.ArgumentParser(description="Generate the Wałbrzych demo data of palmap.")
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=HERE,
        help="folder to write (or check) the files in; default: the folder of this script",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="do not write; exit 1 if the files differ from what would be written",
    )
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files(args.output_dir)
        for name in stale:
            print(f"stale: {args.output_dir / name}", file=sys.stderr)
        if stale:
            print("run: python data/demo/generate.py", file=sys.stderr)
            return 1
        print(f"up to date: {args.output_dir}")
        return 0
    for path in write_files(args.output_dir):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
