"""Evidence base at scale: generate N varied evidence items of about 2 KB, import them from
the documented JSON format, then time filtered full-text searches, filter-only searches,
the pattern view, reading one item, and (when it exists) the evidence window.
Prints its figures; run it, do not import it. Results: docs/benchmarks/evidence.md.

    python benchmarks/evidence.py [--items 100000] [--quick] [--searches 200] [--slow]
                                  [--keep DIR | --db DIR/evidence.sqlite3]

--quick is 10,000 items; --keep keeps the generated file and database, which --db then
measures again without importing; --slow lists each search over 100 ms.

Targets (issue 4, item 7): import >= 5,000 items/s from JSON; a filtered full-text search
returns its first page (50 hits) in < 100 ms at the 95th percentile; the evidence window
opens and scrolls without a stall over 100 ms.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import itertools
import json
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PASSWORD = "benchmark-password"
SEED = 20261128
TARGET_IMPORT = 5_000  # items/s
TARGET_SEARCH_P95 = 100.0  # ms
TARGET_STALL = 100.0  # ms

# --- the generated world ---------------------------------------------------------------------

# Sixty destinations, weighted so that a few dominate as they do in a real evidence base.
COUNTRIES = [
    "SY", "YE", "SD", "SS", "MM", "AF", "IQ", "LY", "ML", "CD", "CF", "SO", "NG", "ET", "UA",
    "RU", "IL", "PS", "SA", "AE", "EG", "TR", "IR", "PK", "IN", "BD", "LK", "PH", "ID", "TH",
    "CO", "VE", "MX", "BR", "HN", "GT", "NI", "HT", "BF", "NE", "TD", "CM", "MZ", "KE", "UG",
    "BI", "ZW", "ER", "DZ", "TN", "BH", "KZ", "UZ", "TJ", "BY", "AZ", "AM", "GE", "CN", "KP",
]

# Words officers search for and that reports use. The top of the list are English function
# words (every document has them, as in real text); then the domain; then the long tail.
def _words(text: str) -> list[str]:
    return text.split()


FUNCTION_WORDS = _words(
    "the of and to in a was by on for that were with at from as is their which had this "
    "been an or they have not are it its after during against who also be more than were "
    "into under other some has about between while where when there these all them those"
)
DOMAIN_WORDS = _words(
    "forces security police army militia soldiers officers brigade battalion unit regiment "
    "division commander troops armed group fighters rebels insurgents gendarmerie guard "
    "civilians villagers residents protesters demonstrators students journalists detainees "
    "prisoners children women men families refugees displaced community population workers "
    "killed wounded injured shot beaten tortured detained arrested abducted disappeared "
    "executed raped burned looted destroyed displaced expelled attacked shelled bombed "
    "village town city district province region camp market hospital clinic school mosque "
    "church prison checkpoint border road bridge convoy vehicle truck house homes farms "
    "airstrike artillery shelling mortar rocket drone helicopter aircraft tank armoured "
    "rifle rifles ammunition grenade landmine cluster munitions explosive weapons arms "
    "small light firearms pistols machine guns bullets cartridges launcher missile "
    "report commission inquiry panel experts investigation witnesses testimony evidence "
    "documented verified interviews satellite imagery photographs video footage sources "
    "allegations violations abuses crimes humanity war law international humanitarian "
    "human rights torture detention disappearance execution killing massacre repression "
    "crackdown curfew emergency operation offensive campaign clearance raid patrol siege "
    "blockade starvation famine aid humanitarian access medical personnel ambulance "
    "diversion transfer end user certificate re-export shipment consignment broker "
    "embargo sanctions violation licence export import trafficking smuggling cartel "
    "recruitment child soldiers sexual violence gender based persecution minority ethnic "
    "religious opposition activists defenders lawyers trial court tribunal judgment "
    "sentenced acquitted impunity accountability perpetrators victims survivors "
    "government ministry interior defence official spokesperson statement denied "
    "confirmed according reportedly allegedly least dozens hundreds thousands several "
    "night morning early late january february march april may june july august "
    "september october november december weeks months days hours since until following"
)
SYLLABLES = _words(
    "ka ri to ma na le so vi da mu ze ba ro ki lu ta ne mo sa po ri ga hu fe di la zo be "
    "an el in or us am ur ek ol ir ay ash ov ev ich ski ani aro emi usa ito ado ura ene"
)


def _pseudo_words(rng: random.Random, count: int) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < count:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3, 3, 3, 4))))
        if word not in seen and len(word) > 3:
            seen.add(word)
            out.append(word)
    return out


@dataclass
class World:
    """Everything the generator draws from, fixed by the seed."""

    words: list[str]
    cum_weights: list[float]
    country_weights: list[float]
    places: dict[str, list[str]]
    actors: dict[str, list[str]]  # per country
    all_actors: list[str]
    publishers: dict[str, list[str]]
    violations: list[str]
    source_kinds: list[str]
    query_words: list[str] = field(default_factory=list)

    def text(self, rng: random.Random, n_words: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cum_weights, k=n_words)


def make_world(seed: int = SEED) -> World:
    from app.evidence_vocab import vocabulary

    rng = random.Random(seed)
    vocab = vocabulary()
    tail = _pseudo_words(rng, 30_000)
    domain = DOMAIN_WORDS[:]
    rng.shuffle(domain)
    # Zipf-like ranks: function words first, the domain interleaved with the head of the
    # tail, then the long tail. Weight of rank r is 1 / r^1.05.
    words = FUNCTION_WORDS + [w for pair in itertools.zip_longest(domain, tail[:len(domain)])
                              for w in pair if w] + tail[len(domain):]
    cum_weights = list(itertools.accumulate(1.0 / (r ** 1.05) for r in range(1, len(words) + 1)))
    places = {c: [w.capitalize() + rng.choice(("", "", " City", "pur", "abad", "ville", "grad"))
                  for w in _pseudo_words(rng, 12)] for c in COUNTRIES}
    places["CO"] += ["Bogotá", "Medellín", "Cúcuta", "Popayán"]
    places["TR"] += ["Şırnak", "Diyarbakır"]
    places["UA"] += ["Kharkiv", "Mariupol"]
    ranks = ["1st", "2nd", "3rd", "4th", "5th", "7th", "9th", "11th", "12th", "15th", "21st",
             "33rd", "44th", "55th", "101st"]
    kinds = ["Mechanised Brigade", "Infantry Battalion", "Rapid Intervention Unit",
             "Border Guard Regiment", "Special Forces Group", "Military Police Company",
             "Presidential Guard", "Air Assault Brigade", "Riot Police Unit"]
    actors: dict[str, list[str]] = {c: [] for c in COUNTRIES}
    names = [w.capitalize() for w in _pseudo_words(rng, 400)]
    all_actors: list[str] = []
    for n in range(300):
        country = COUNTRIES[n % len(COUNTRIES)]
        form = n % 5
        if form == 0:
            actor = f"{rng.choice(ranks)} {rng.choice(kinds)}"
        elif form == 1:
            actor = f"{rng.choice(names)} Liberation Front"
        elif form == 2:
            actor = f"National Police of {country} {rng.choice(names)} Command"
        elif form == 3:
            actor = f"Colonel {rng.choice(names)} {rng.choice(names)}"
        else:
            actor = f"{rng.choice(names)} Militia"
        if actor in all_actors:
            actor = f"{actor} {n}"
        actors[country].append(actor)
        all_actors.append(actor)
    publishers = {
        "un_treaty_body": ["UN Committee against Torture", "UN Human Rights Committee",
                           "UN Special Rapporteur on extrajudicial executions"],
        "un_inquiry_panel": ["UN Panel of Experts", "Independent International Commission "
                             "of Inquiry", "UN Fact-Finding Mission"],
        "icrc": ["International Committee of the Red Cross"],
        "regional_body": ["African Commission on Human and Peoples' Rights",
                          "Inter-American Commission on Human Rights",
                          "European Court of Human Rights"],
        "national_court": ["Supreme Court", "High Court", "Constitutional Court"],
        "government": ["Ministry of Foreign Affairs", "State Department", "Home Office"],
        "ngo": ["Amnesty International", "Human Rights Watch", "Conflict Armament Research",
                "SIPRI", "Airwars", "ACLED", "Physicians for Human Rights"],
        "media": ["Reuters", "Associated Press", "BBC", "Al Jazeera", "Le Monde",
                  "The Guardian", "El País", "Der Spiegel"],
        "diplomatic": ["Embassy reporting", "Defence attaché report"],
    }
    world = World(words, cum_weights, [1.0 / (i + 1) ** 0.7 for i in range(len(COUNTRIES))],
                  places, actors, all_actors, publishers, list(vocab.violations),
                  list(vocab.source_kinds))
    # Query words: the domain vocabulary (what officers type), plus some of the tail.
    world.query_words = DOMAIN_WORDS + tail[:2000]
    return world


GRADES_R = ["A", "B", "C", "D", "E", "F"]
GRADES_R_W = [8, 30, 30, 14, 6, 12]
GRADES_C = ["1", "2", "3", "4", "5", "6"]
GRADES_C_W = [10, 30, 30, 12, 6, 12]
KIND_W = [10, 8, 4, 6, 5, 8, 30, 25, 4]
START = date(2000, 1, 1)
DAYS = (date(2026, 11, 1) - START).days


def _sentences(world: World, rng: random.Random, n_words: int, extra: list[str]) -> str:
    """Pseudo-text: Zipf words in sentences of 8-22 words, with names dropped in."""
    words = world.text(rng, n_words)
    for name in extra:
        words.insert(rng.randrange(len(words) + 1), name)
    out: list[str] = []
    i = 0
    while i < len(words):
        n = rng.randint(8, 22)
        sentence = words[i:i + n]
        out.append(sentence[0].capitalize() + " " + " ".join(sentence[1:]) + ".")
        i += n
    return " ".join(out)


def make_item(world: World, rng: random.Random, n: int) -> dict[str, Any]:
    """One item in the JSON import format (``docs/formats/``): about 2 KB of content."""
    country = rng.choices(COUNTRIES, weights=world.country_weights)[0]
    countries = [country] + ([rng.choice(COUNTRIES)] if rng.random() < 0.15 else [])
    own = world.actors[country]
    actors = rng.sample(own, k=min(len(own), rng.choice((0, 1, 1, 2, 2, 3))))
    if rng.random() < 0.1:
        actors.append(rng.choice(world.all_actors))
    place = rng.choice(world.places[country])
    violations = rng.sample(world.violations, k=rng.choice((1, 1, 2, 2, 3)))
    categories = [f"ML{rng.randint(1, 22)}" for _ in range(rng.choice((0, 0, 1, 1, 2)))]
    start = START + timedelta(days=rng.randrange(DAYS))
    end = start + timedelta(days=rng.choice((0, 0, 1, 3, 14, 60, 200)))
    published = end + timedelta(days=rng.randint(1, 240))
    kind = rng.choices(world.source_kinds, weights=KIND_W)[0]
    publisher = rng.choice(world.publishers.get(kind, ["Unknown"]))
    title_words = world.text(rng, rng.randint(5, 9))
    title = (f"{' '.join(title_words).capitalize()} in {place}"
             + (f" by {actors[0]}" if actors and rng.random() < 0.5 else ""))
    summary = _sentences(world, rng, rng.randint(40, 60), [*actors[:1], place])
    full_text = _sentences(world, rng, rng.randint(200, 260), [*actors, place, place])
    return {
        "title": title,
        "source": {"publisher": publisher, "kind": kind,
                   "document_ref": f"{kind.upper()}/{published.year}/{n:06d}",
                   "url": f"https://example.org/{kind}/{published.year}/{n}"},
        "published_on": published.isoformat() if published < date(2026, 11, 28) else None,
        "events": {"from": start.isoformat(), "to": end.isoformat() if end != start else None},
        "countries": countries,
        "places": place,
        "actors": actors,
        "violations": violations,
        "item_categories": categories,
        "grade": {"reliability": rng.choices(GRADES_R, weights=GRADES_R_W)[0],
                  "credibility": rng.choices(GRADES_C, weights=GRADES_C_W)[0]},
        "summary": summary,
        "full_text": full_text,
    }


def generate(world: World, count: int) -> list[dict[str, Any]]:
    rng = random.Random(SEED + 1)
    return [make_item(world, rng, n) for n in range(count)]


def write_json(path: Path, items: list[dict[str, Any]]) -> None:
    doc = {"format": "golden-rule/evidence", "format_version": 1, "items": items}
    with path.open("w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False)


def to_new_evidence(doc: dict[str, Any], origin: str) -> Any:
    """The benchmark's own reading of one JSON item, used only when app/evidence_import.py
    is not there yet (so the figure is then store_batch alone)."""
    from app.evidence import EvidenceData, NewEvidence

    source = doc.get("source") or {}
    events = doc.get("events") or {}
    grade = doc["grade"]

    def d(value: str | None) -> date | None:
        return date.fromisoformat(value) if value else None

    data = EvidenceData(
        title=doc["title"], source_kind=source.get("kind", ""),
        reliability=grade["reliability"], credibility=str(grade["credibility"]),
        publisher=source.get("publisher", ""), document_ref=source.get("document_ref", ""),
        url=source.get("url", ""), published_on=d(doc.get("published_on")),
        events_from=d(events.get("from")), events_to=d(events.get("to")),
        countries=doc.get("countries", []), places=doc.get("places", ""),
        actors=doc.get("actors", []), violations=doc.get("violations", []),
        item_categories=doc.get("item_categories", []), summary=doc.get("summary", ""),
        full_text=doc.get("full_text", ""))
    return NewEvidence(data, None, origin)


# --- measuring -------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


@dataclass
class ImportFigures:
    how: str
    count: int
    read_s: float
    store_s: float
    added: int
    duplicates: int
    reimport_s: float = 0.0
    reimport_dupes: int = 0

    @property
    def total_s(self) -> float:
        return self.read_s + self.store_s


def run_import(db_path: Path, json_path: Path, count: int) -> ImportFigures:
    from app import evidence, users
    from app.database import open_database
    from app.uow import UnitOfWork

    db = open_database(db_path)
    with UnitOfWork(db.session_factory) as uow:
        first = users.create_first_administrator(uow, "admin", "Bench Admin", PASSWORD)
        # Administrators do not register cases or evidence (separation of duties).
        admin = users.create_user(uow, first, "bench", "Bench Officer", users.Role.OFFICER,
                                  PASSWORD)
    through_reader = has_module("app.evidence_import")
    progress: list[int] = []
    gc.collect()

    def read() -> list[Any]:
        if through_reader:
            from app.evidence_import import read_json

            return read_json(json_path)
        with json_path.open(encoding="utf-8") as f:
            doc = json.load(f)
        return [to_new_evidence(d, f"{json_path.name} item {n}")
                for n, d in enumerate(doc["items"], start=1)]

    started = time.perf_counter()
    items = read()
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    with UnitOfWork(db.session_factory) as uow:
        result = evidence.store_batch(uow, admin, items, source=json_path.name,
                                      progress=lambda done, _total: progress.append(done))
    store_s = time.perf_counter() - started
    assert progress == sorted(progress), "progress must not go backwards"
    how = ("app.evidence_import.read_json + store_batch" if through_reader
           else "json.load + EvidenceData in the benchmark + store_batch "
                "(app/evidence_import.py not present)")
    figures = ImportFigures(how, count, read_s, store_s, len(result.added),
                            len(result.duplicates))
    # Importing the same file again: everything is recognised by hash, nothing added.
    sample = items[: min(len(items), 10_000)]
    started = time.perf_counter()
    with UnitOfWork(db.session_factory) as uow:
        again = evidence.store_batch(uow, admin, sample, source=json_path.name)
    figures.reimport_s = time.perf_counter() - started
    figures.reimport_dupes = len(again.duplicates)
    assert not again.added
    db.dispose()
    return figures


def make_queries(world: World, samples: list[dict[str, Any]], count: int, *,
                 with_text: bool) -> list[tuple[str, Any]]:
    """Realistic searches: 1-3 words and 0-3 filters. Half the time the officer remembers
    an item (words of its title, a phrase of its summary, its country or violation); else
    domain words, a place, or a word still being typed (a prefix)."""
    from db.search import EvidenceQuery

    rng = random.Random(SEED + 2)
    out: list[tuple[str, Any]] = []
    for _ in range(count):
        q = EvidenceQuery()
        labels: list[str] = []
        item = rng.choice(samples) if rng.random() < 0.5 else None
        if with_text:
            n_words = rng.choice((1, 1, 2, 2, 2, 3))
            roll = rng.random()
            if item is not None:
                if roll < 0.15:
                    words = item["summary"].rstrip(".").split()
                    at = rng.randrange(max(1, len(words) - 2))
                    q.text = '"' + " ".join(words[at:at + 2]) + '"'
                else:
                    words = [w for w in item["title"].split()
                             if len(w) > 2 and w.lower() not in FUNCTION_WORDS]
                    q.text = " ".join(rng.sample(words, k=min(n_words, len(words))))
            elif roll < 0.5:
                q.text = " ".join(rng.choice(DOMAIN_WORDS) for _ in range(n_words))
            elif roll < 0.7:
                q.text = rng.choice(world.places[rng.choice(COUNTRIES)])
                if n_words > 1:
                    q.text += " " + rng.choice(DOMAIN_WORDS)
            elif roll < 0.9:  # still typing
                word = rng.choice(DOMAIN_WORDS)
                q.text = word[:rng.randint(3, max(3, len(word) - 1))]
            else:
                q.text = " ".join(rng.choice(world.query_words) for _ in range(n_words))
            labels.append(repr(q.text))
        filters = rng.sample(["country", "dates", "grade", "violation", "kind", "actor"],
                             k=rng.choice((0, 1, 1, 2, 2, 3)) if with_text
                             else rng.choice((1, 1, 2, 2, 3)))
        for f in filters:
            if f == "country":
                q.countries = ([item["countries"][0]] if item else
                               [rng.choices(COUNTRIES, weights=world.country_weights)[0]])
            elif f == "dates":
                span = timedelta(days=rng.choice((90, 365, 730, 1825)))
                if item:
                    start = (date.fromisoformat(item["events"]["from"])
                             - timedelta(days=rng.randrange(span.days)))
                else:
                    start = date(rng.randint(2000, 2024), rng.randint(1, 12), 1)
                q.date_from, q.date_to = start, start + span
            elif f == "grade":
                grade = item["grade"] if item else {"reliability": "C", "credibility": "3"}
                q.min_reliability = max(grade["reliability"], rng.choice("ABC"))
                if rng.random() < 0.5:
                    q.min_credibility = max(grade["credibility"], rng.choice("123"))
            elif f == "violation":
                q.violations = [item["violations"][0] if item else
                                rng.choice(world.violations)]
            elif f == "kind":
                q.source_kinds = rng.sample(world.source_kinds, k=rng.choice((1, 2)))
                if item and item["source"]["kind"] not in q.source_kinds:
                    q.source_kinds[0] = item["source"]["kind"]
            elif f == "actor":
                actor = (rng.choice(item["actors"]) if item and item["actors"]
                         else rng.choice(world.all_actors))
                words = actor.split()
                q.actor = " ".join(words[-2:]) if rng.random() < 0.5 else actor
            labels.append(f)
        out.append((" + ".join(labels) or "(nothing)", q))
    return out


def run_searches(db_path: Path, queries: list[tuple[str, Any]]) -> tuple[list[float], list[int],
                                                                        list[str]]:
    from app.database import open_database
    from app.uow import UnitOfWork
    from db.search import search_evidence

    db = open_database(db_path)
    times: list[float] = []
    hits: list[int] = []
    slow: list[str] = []
    with UnitOfWork(db.session_factory) as uow:
        search_evidence(uow.session, queries[0][1])  # warm the connection and the cache
        for label, q in queries:
            started = time.perf_counter()
            page = search_evidence(uow.session, q)
            elapsed = (time.perf_counter() - started) * 1000
            times.append(elapsed)
            hits.append(len(page.hits))
            if elapsed > TARGET_SEARCH_P95:
                slow.append(f"{elapsed:7.1f} ms  {label}  ({len(page.hits)} hits"
                            f"{', more' if page.has_more else ''})")
    db.dispose()
    return times, hits, slow


WORST_CASES: list[tuple[str, dict[str, Any]]] = [
    ("'a' (one letter: the word a)", {"text": "a"}),
    ("'th' (a prefix of thousands of words)", {"text": "th"}),
    ("'the' (a prefix: the, their, them...)", {"text": "the"}),
    ("'the' + country SY", {"text": "the", "countries": ["SY"]}),
    ("'forces' (in a third of the items)", {"text": "forces"}),
    ("'forces' + reliability A-B + from 2015", {"text": "forces", "min_reliability": "B",
                                                "date_from": date(2015, 1, 1)}),
    ("'kil' (typing 'killed')", {"text": "kil"}),
    ("no words, events in Q1 2001", {"date_from": date(2001, 1, 1),
                                     "date_to": date(2001, 3, 31)}),
    ("no words, country SY + ML1", {"countries": ["SY"], "item_categories": ["ML1"]}),
]


def run_worst(db_path: Path) -> list[tuple[str, float, int]]:
    """Searches chosen to be expensive, each the best of three runs."""
    from app.database import open_database
    from app.uow import UnitOfWork
    from db.search import EvidenceQuery, search_evidence

    db = open_database(db_path)
    out = []
    with UnitOfWork(db.session_factory) as uow:
        for label, fields in WORST_CASES:
            best, hits = float("inf"), 0
            for _ in range(3):
                started = time.perf_counter()
                page = search_evidence(uow.session, EvidenceQuery(**fields))
                best = min(best, (time.perf_counter() - started) * 1000)
                hits = len(page.hits)
            out.append((label, best, hits))
    db.dispose()
    return out


def run_reads(db_path: Path, count: int) -> dict[str, float]:
    from app import evidence
    from app.database import open_database
    from app.uow import UnitOfWork

    db = open_database(db_path)
    rng = random.Random(SEED + 3)
    figures: dict[str, float] = {}
    with UnitOfWork(db.session_factory) as uow:
        evidence.get_evidence(uow, 1)
        times = []
        for _ in range(200):
            started = time.perf_counter()
            evidence.get_evidence(uow, rng.randint(1, count))
            times.append((time.perf_counter() - started) * 1000)
        figures["get_p50"] = statistics.median(times)
        figures["get_max"] = max(times)
        times = []
        sizes = []
        for country in COUNTRIES[:3] + COUNTRIES[28:30] + COUNTRIES[-2:]:
            started = time.perf_counter()
            per_year = evidence.pattern(uow, country=country)
            times.append((time.perf_counter() - started) * 1000)
            sizes.append(len({i for per in per_year.values() for ids in per.values()
                              for i in ids}))
        figures["pattern_max"] = max(times)
        figures["pattern_p50"] = statistics.median(times)
        figures["pattern_items"] = max(sizes)
        started = time.perf_counter()
        evidence.pattern(uow, actor="brigade")
        figures["pattern_actor"] = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        record = evidence.get_evidence(uow, count // 2)
        evidence.get_version(uow, record.content_sha256)
        figures["get_version"] = (time.perf_counter() - started) * 1000
    db.dispose()
    return figures


WINDOW_PAGE = ROOT / "ui" / "evidence" / "page.py"
WINDOW_ROWS = 1_000  # rows loaded with "Load more" before the scrolling test


def run_window(db_path: Path) -> dict[str, Any] | None:
    """The evidence window (ui/evidence/page.py) offscreen on the benchmark database, with
    the real worker thread. Returns None while the page does not exist.

    - first rows: from constructing the page to its first page of results shown;
    - load more: pages of 100 rows until WINDOW_ROWS, each timed until shown;
    - scroll: 200 jumps of the scroll bar from top to bottom, repainted synchronously;
    - type: words typed into the search field, then the search run (as the debounce
      timer would), timed until the results are shown; then a country filter chosen;
    - stall: the longest the UI thread was busy in one go (one processEvents call)
      while all this happened, the scroll jumps included.
    """
    if not WINDOW_PAGE.exists():
        return None
    from PySide6.QtWidgets import QApplication

    from app import users
    from app.database import open_database
    from app.uow import UnitOfWork
    from ui.application import make_qapplication
    from ui.context import UiContext
    from ui.evidence.page import EvidencePage
    from ui.tasks import TaskRunner

    app = make_qapplication()
    db = open_database(db_path)
    with UnitOfWork(db.session_factory) as uow:
        actor = users.authenticate(uow, "bench", PASSWORD)
    stalls: list[float] = []
    shown: list[int] = []

    def pump_until(done: Callable[[], bool], timeout: float = 60.0) -> None:
        deadline = time.perf_counter() + timeout
        while not done() and time.perf_counter() < deadline:
            started = time.perf_counter()
            QApplication.processEvents()
            stalls.append((time.perf_counter() - started) * 1000)
            time.sleep(0.0005)

    def wait_results(action: Callable[[], None]) -> float:
        before = len(shown)
        started = time.perf_counter()
        action()
        pump_until(lambda: len(shown) > before)
        return (time.perf_counter() - started) * 1000

    runner = TaskRunner()
    started = time.perf_counter()
    page = EvidencePage(UiContext(db, actor), runner)
    page.sig_results.connect(shown.append)
    page.resize(1400, 900)
    page.show()
    pump_until(lambda: bool(shown))
    table = page.table
    table.viewport().repaint()
    first_rows = (time.perf_counter() - started) * 1000
    phase_stalls = {"open": max(stalls, default=0.0)}
    stalls.clear()
    pages = []
    while page.has_more and page.model.rowCount() < WINDOW_ROWS:
        pages.append(wait_results(page.load_more))
    phase_stalls["load more"] = max(stalls, default=0.0)
    stalls.clear()
    rows = page.model.rowCount()
    bar = table.verticalScrollBar()
    frames = []
    for step in range(200):
        started = time.perf_counter()
        bar.setValue(int(bar.maximum() * step / 199))
        table.viewport().repaint()
        QApplication.processEvents()
        frames.append((time.perf_counter() - started) * 1000)
    phase_stalls["scroll"] = max(frames)
    typed = []
    for words in ("police", "killed village", "detained journalists", "bogota"):
        def type_words(words: str = words) -> None:
            page.search.clear()
            for ch in words:
                page.search.insert(ch)
                QApplication.processEvents()
            page.search_now()
        typed.append(wait_results(type_words))
    def choose_country() -> None:
        page.country.set_code("SY")
        page.search_now()

    phase_stalls["typing"] = max(stalls, default=0.0)
    stalls.clear()
    country = wait_results(choose_country)
    phase_stalls["filter"] = max(stalls, default=0.0)
    page.close()
    runner.wait()
    page.deleteLater()
    QApplication.processEvents()
    db.dispose()
    _keep_alive.append(app)
    return {"first_rows_ms": first_rows, "rows": rows, "pages": len(pages),
            "page_max": max(pages, default=0.0), "frame_p50": statistics.median(frames),
            "frame_p95": percentile(frames, 95), "frame_max": max(frames),
            "typed_max": max(typed), "country_ms": country,
            "stall_max": max(phase_stalls.values()),
            "stalls": ", ".join(f"{k} {v:.0f}" for k, v in phase_stalls.items())}


_keep_alive: list[Any] = []  # the QApplication outlives the page (no teardown-order crash)


def window_in_subprocess(db_path: Path) -> dict[str, Any] | None:
    """run_window in a fresh process, as the application would open it: not in this one,
    whose heap holds what the import and the searches left (a garbage collection over it
    can stall the UI thread for tens of milliseconds)."""
    if not WINDOW_PAGE.exists():
        return None
    out = subprocess.run([sys.executable, __file__, "--window-only", str(db_path)],
                         capture_output=True, text=True, check=True,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- the report ------------------------------------------------------------------------------

def machine() -> str:
    return (f"{os.cpu_count()} cores, Python {platform.python_version()}, SQLite "
            f"{sqlite3.sqlite_version}, {platform.system()} {platform.machine()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="10,000 items")
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    parser.add_argument("--db", type=Path, help="measure searches on this database, built "
                        "earlier with --keep (no import)")
    parser.add_argument("--slow", action="store_true", help="list searches over the target")
    parser.add_argument("--window-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.window_only:
        print(json.dumps(run_window(args.window_only)))
        return
    count = 10_000 if args.quick else args.items
    tmp = tempfile.TemporaryDirectory(prefix="gr-evidence-bench-")
    print(f"machine    {machine()}")
    world = make_world()
    if args.db:
        measure(args, world, args.db, count, None, None)
        tmp.cleanup()
        return
    folder = args.keep or Path(tmp.name)
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "evidence.sqlite3"
    json_path = folder / "evidence.json"
    for stale in folder.glob("evidence.sqlite3*"):
        stale.unlink()

    started = time.perf_counter()
    items = generate(world, count)
    gen_s = time.perf_counter() - started
    write_json(json_path, items)
    content_kb = statistics.mean(
        len(i["title"]) + len(i["summary"]) + len(i["full_text"]) for i in items[:2000]) / 1024
    del items
    gc.collect()
    print(f"generate   {count:,} items, {content_kb:.1f} KB of text each, JSON "
          f"{json_path.stat().st_size / 2**20:,.0f} MB ({gen_s:.1f} s, not timed below)")

    imp = run_import(db_path, json_path, count)
    rate = count / imp.total_s
    print(f"import     via {imp.how}")
    print(f"import     {imp.added:,} added, {imp.duplicates} duplicates: read {imp.read_s:.1f} s "
          f"+ store {imp.store_s:.1f} s = {imp.total_s:.1f} s -> {rate:,.0f} items/s "
          f"(target >= {TARGET_IMPORT:,}) {'OK' if rate >= TARGET_IMPORT else 'MISSED'}")
    print(f"store      store_batch alone: {count / imp.store_s:,.0f} items/s "
          f"(validate, hash, check duplicates, write, index, commit)")
    print(f"re-import  {imp.reimport_dupes:,} items again: all duplicates, "
          f"{imp.reimport_s:.1f} s")
    measure(args, world, db_path, count, imp, rate)
    tmp.cleanup()


def measure(args: argparse.Namespace, world: World, db_path: Path, count: int,
            imp: ImportFigures | None, rate: float | None) -> None:
    size = sum(p.stat().st_size for p in db_path.parent.glob(db_path.name + "*"))
    print(f"db size    {size / 2**20:,.0f} MB (database file and WAL)")

    samples = generate(world, min(count, 2000))  # the first items, as imported
    text_queries = make_queries(world, samples, args.searches, with_text=True)
    times, hits, slow = run_searches(db_path, text_queries)
    p95 = percentile(times, 95)
    print(f"search     {len(times)} filtered full-text searches, first page of 50: p50 "
          f"{percentile(times, 50):.1f} ms, p95 {p95:.1f} ms, max {max(times):.1f} ms "
          f"(target p95 < {TARGET_SEARCH_P95:.0f}) "
          f"{'OK' if p95 < TARGET_SEARCH_P95 else 'MISSED'}; "
          f"{sum(1 for h in hits if h == 50)} full pages, {sum(1 for h in hits if h == 0)} empty")
    if args.slow:
        for line in slow:
            print(f"           {line}")
    filter_queries = make_queries(world, samples, args.searches, with_text=False)
    ftimes, fhits, fslow = run_searches(db_path, filter_queries)
    print(f"filters    {len(ftimes)} searches without text (1-3 filters), newest first: p50 "
          f"{percentile(ftimes, 50):.1f} ms, p95 {percentile(ftimes, 95):.1f} ms, max "
          f"{max(ftimes):.1f} ms; {sum(1 for h in fhits if h == 0)} empty")
    if args.slow:
        for line in fslow:
            print(f"           {line}")

    worst = run_worst(db_path)
    print("worst      words matching most of the base (not in the figures above), first page:")
    for label, ms, n in worst:
        print(f"           {ms:7.1f} ms  {label} ({n} hits)")

    reads = run_reads(db_path, count)
    print(f"pattern    pattern(country=...) for 7 countries: p50 {reads['pattern_p50']:.0f} ms, "
          f"max {reads['pattern_max']:.0f} ms (largest {reads['pattern_items']:,} items); "
          f"pattern(actor='brigade') {reads['pattern_actor']:.0f} ms")
    print(f"get        get_evidence: p50 {reads['get_p50']:.2f} ms, max {reads['get_max']:.2f} "
          f"ms; get_evidence + get_version(hash) {reads['get_version']:.2f} ms")

    window = window_in_subprocess(db_path)
    if window is None:
        print("window     SKIPPED: ui/evidence/page.py does not exist yet "
              "(run_window() in this script measures it once it does)")
    else:
        print(f"window     first rows {window['first_rows_ms']:.0f} ms after opening; "
              f"{window['pages']:.0f} x 'Load more' to {window['rows']:,.0f} rows, slowest "
              f"{window['page_max']:.0f} ms")
        print(f"scroll     200 jumps with repaint over the {WINDOW_ROWS:,} rows: p50 "
              f"{window['frame_p50']:.1f} ms, p95 {window['frame_p95']:.1f} ms, max "
              f"{window['frame_max']:.1f} ms")
        print(f"typing     search typed then run: slowest {window['typed_max']:.0f} ms to "
              f"results; country filter {window['country_ms']:.0f} ms")
        print(f"stall      longest the UI thread was busy at once: "
              f"{window['stall_max']:.1f} ms (target < {TARGET_STALL:.0f}) "
              f"{'OK' if window['stall_max'] < TARGET_STALL else 'MISSED'}; "
              f"per step (ms): {window['stalls']}")

    print()
    print(f"{'figure':<44}{'measured':>16}{'target':>14}")
    rows = [
        ("import from JSON: read + store (items/s)", f"{rate:,.0f}" if rate else "-",
         f">= {TARGET_IMPORT:,}"),
        ("  of which store_batch alone (items/s)",
         f"{count / imp.store_s:,.0f}" if imp else "-", ""),
        ("database size (MB)", f"{size / 2**20:,.0f}", ""),
        ("full-text + filters p50 (ms)", f"{percentile(times, 50):.1f}", ""),
        ("full-text + filters p95 (ms)", f"{p95:.1f}", f"< {TARGET_SEARCH_P95:.0f}"),
        ("full-text + filters max (ms)", f"{max(times):.1f}", ""),
        ("filters only p95 (ms)", f"{percentile(ftimes, 95):.1f}", ""),
        ("pattern(country) max (ms)", f"{reads['pattern_max']:.0f}", ""),
        ("get_evidence p50 (ms)", f"{reads['get_p50']:.2f}", ""),
    ]
    if window is not None:
        rows += [("window: first rows (ms)", f"{window['first_rows_ms']:.0f}", ""),
                 ("window: scroll max frame (ms)", f"{window['frame_max']:.1f}", ""),
                 ("window: longest UI stall (ms)", f"{window['stall_max']:.1f}",
                  f"< {TARGET_STALL:.0f}")]
    for name, value, target in rows:
        print(f"{name:<44}{value:>16}{target:>14}")


if __name__ == "__main__":
    main()
