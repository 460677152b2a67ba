"""Searching evidence (db/search.py): BM25 ranking, snippets, every filter with and without
words, paging, anything the officer types, edits, the candidate cap for words matching most
of the base, and the full-text index across migration 0005."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from app.database import Database, open_database
from app.evidence import EvidenceData, NewEvidence, edit_evidence, get_evidence, store_batch
from app.uow import UnitOfWork
from app.users import Actor
from db import migrate, search
from db.search import MARK_END, MARK_START, EvidenceQuery, fts_expression, search_evidence

UowFactory = Callable[[], UnitOfWork]


def item(title: str, **kw: Any) -> EvidenceData:
    base: dict[str, Any] = {"title": title, "source_kind": "ngo", "reliability": "C",
                            "credibility": "3"}
    base.update(kw)
    return EvidenceData(**base)


def store(uow: UowFactory, actor: Actor, *items: EvidenceData, demo: bool = False
          ) -> list[int]:
    with uow() as u:
        return store_batch(u, actor, [NewEvidence(i) for i in items], is_demo=demo).added


def ids(uow: UowFactory, **kw: Any) -> list[int]:
    with uow() as u:
        return [h.item_id for h in search_evidence(u.session, EvidenceQuery(**kw)).hits]


def fts_ok(database: Database) -> None:
    with database.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO evidence_fts (evidence_fts, rank) VALUES ('integrity-check', 1)")


# --- ranking and snippets --------------------------------------------------------------

def test_a_title_match_ranks_above_a_body_only_match(uow: UowFactory, officer: Actor) -> None:
    body, title, neither = store(
        uow, officer,
        item("Annual overview", full_text="Long text. " * 30 + "Checkpoint shooting. "),
        item("Checkpoint shooting near the border", full_text="Long text. " * 30),
        item("Unrelated", full_text="Nothing to see"))
    assert ids(uow, text="checkpoint") == [title, body]
    assert ids(uow, text="shooting checkpoint") == [title, body]  # every word, any order
    assert neither not in ids(uow, text="text")
    with uow() as u:
        hits = search_evidence(u.session, EvidenceQuery(text="checkpoint")).hits
    assert hits[0].score > hits[1].score > 0


def test_snippets_mark_the_matched_words(uow: UowFactory, officer: Actor) -> None:
    (one,) = store(uow, officer, item(
        "Report", full_text="Witnesses said the Rapid Support unit burned the market."))
    with uow() as u:
        (hit,) = search_evidence(u.session, EvidenceQuery(text="burned market")).hits
    assert hit.item_id == one
    assert f"{MARK_START}burned{MARK_END}" in hit.snippet
    assert f"{MARK_START}market{MARK_END}" in hit.snippet
    with uow() as u:  # prefixes are marked whole, as the index matched them
        (hit,) = search_evidence(u.session, EvidenceQuery(text="witn")).hits
    assert f"{MARK_START}Witnesses{MARK_END}" in hit.snippet


def test_words_match_as_prefixes_from_two_letters(uow: UowFactory, officer: Actor) -> None:
    apple, word_a = store(uow, officer, item("Apple orchards burned"),
                          item("A report on detention"))
    assert ids(uow, text="ap") == [apple]
    assert ids(uow, text="orch") == [apple]
    assert ids(uow, text="a") == [word_a]  # one letter: the word, not every a... word


def test_diacritics_and_case_do_not_matter(uow: UowFactory, officer: Actor) -> None:
    bogota, koln = store(uow, officer, item("Protests in Bogotá"),
                         item("Arms fair", places="KÖLN"))
    assert ids(uow, text="Bogota") == [bogota]
    assert ids(uow, text="bogotá") == [bogota]
    assert ids(uow, text="BOGOTA") == [bogota]
    assert ids(uow, text="köln") == [koln] == ids(uow, text="koln")


def test_phrases_and_or(uow: UowFactory, officer: Actor) -> None:
    exact, apart, other = store(uow, officer, item("Cluster munitions used in villages"),
                                item("Munitions stockpile; cluster of villages"),
                                item("Landmines reported"))
    assert ids(uow, text='"cluster munitions"') == [exact]
    assert set(ids(uow, text="cluster munitions")) == {exact, apart}
    assert set(ids(uow, text="landmines OR stockpile")) == {apart, other}


# --- filters ---------------------------------------------------------------------------

@pytest.fixture
def base(uow: UowFactory, officer: Actor) -> dict[str, int]:
    """Seven items, all mentioning 'forces', one of them demo."""
    names = ["sy", "ye_old", "ye_new", "parade", "no_dates", "open"]
    stored = store(
        uow, officer,
        item("Forces in Syria", countries=["SY"], violations=["torture"],
             item_categories=["ML1"], reliability="A", credibility="1",
             source_kind="un_inquiry_panel", events_from=date(2015, 3, 1),
             events_to=date(2015, 9, 30), actors=["Fourth Armoured Division"]),
        item("Forces in Yemen, old", countries=["YE"], violations=["indiscriminate_attack"],
             item_categories=["ML4"], reliability="B", credibility="2",
             events_from=date(2009, 1, 1), published_on=date(2010, 1, 1)),
        item("Forces in Yemen, new", countries=["YE", "SA"], violations=["starvation_access"],
             reliability="D", credibility="4", source_kind="media",
             events_from=date(2022, 5, 5), actors=["Coalition air forces"]),
        item("Forces on parade", countries=["NO"], published_on=date(2021, 1, 1)),
        item("Forces without dates", countries=["NO"], reliability="F", credibility="6"),
        item("Forces, events still going", countries=["MM"], events_from=date(2021, 2, 1),
             published_on=date(2023, 6, 1), full_text="The Tatmadaw forces..."))
    (demo,) = store(uow, officer, item("Demo forces", countries=["KE"],
                                       published_on=date(2026, 1, 1)), demo=True)
    by_name = dict(zip(names, stored, strict=True))
    by_name["demo"] = demo
    return by_name


FILTERS: list[tuple[dict[str, Any], set[str]]] = [
    ({"countries": ["SY"]}, {"sy"}),
    ({"countries": ["sa"]}, {"ye_new"}),  # any of the item's countries, any case
    ({"countries": ["SY", "YE"]}, {"sy", "ye_old", "ye_new"}),
    ({"violations": ["torture"]}, {"sy"}),
    ({"violations": ["torture", "starvation_access"]}, {"sy", "ye_new"}),
    ({"item_categories": ["ml4"]}, {"ye_old"}),
    ({"source_kinds": ["media", "un_inquiry_panel"]}, {"sy", "ye_new"}),
    ({"min_reliability": "B"}, {"sy", "ye_old"}),
    ({"min_credibility": "1"}, {"sy"}),
    ({"min_reliability": "D", "min_credibility": "3"},
     {"sy", "ye_old", "parade", "open", "demo"}),
    # date ranges overlap the events (from-to; from alone is one day; else the publication)
    ({"date_from": date(2015, 9, 1), "date_to": date(2015, 12, 31)}, {"sy"}),
    ({"date_from": date(2014, 1, 1), "date_to": date(2015, 3, 1)}, {"sy"}),
    ({"date_from": date(2015, 10, 1), "date_to": date(2016, 1, 1)}, set()),
    ({"date_to": date(2009, 6, 1)}, {"ye_old"}),
    ({"date_from": date(2022, 1, 1)}, {"ye_new", "demo"}),
    ({"date_from": date(2020, 12, 1), "date_to": date(2021, 1, 31)}, {"parade"}),
    ({"actor": "armoured division"}, {"sy"}),
    ({"actor": "coalition"}, {"ye_new"}),
    ({"actor": "tatmadaw"}, set()),  # named in the text only, not as an actor
    ({"include_demo": False}, {"sy", "ye_old", "ye_new", "parade", "no_dates", "open"}),
    ({"countries": ["YE"], "min_reliability": "C", "violations": ["indiscriminate_attack"]},
     {"ye_old"}),
]


@pytest.mark.parametrize(("words", "filters", "expected"),
                         [(w, f, e) for f, e in FILTERS for w in ("", "forces")])
def test_every_filter_with_and_without_words(uow: UowFactory, base: dict[str, int],
                                             words: str, filters: dict[str, Any],
                                             expected: set[str]) -> None:
    found = set(ids(uow, text=words, **filters))
    assert {name for name, item_id in base.items() if item_id in found} == expected


def test_the_list_without_words_is_newest_first(uow: UowFactory, base: dict[str, int]) -> None:
    # published, else when the events began; items with neither come last
    expected = ["demo", "open", "ye_new", "parade", "sy", "ye_old", "no_dates"]
    assert ids(uow) == [base[n] for n in expected]


def test_paging_and_has_more(uow: UowFactory, officer: Actor) -> None:
    stored = store(uow, officer, *[item(f"Patrol report {n}", published_on=date(2020, 1, n))
                                   for n in range(1, 13)])
    for words in ("", "patrol"):
        pages, offset = [], 0
        while True:
            with uow() as u:
                page = search_evidence(u.session, EvidenceQuery(text=words, limit=5,
                                                                offset=offset))
            pages.append([h.item_id for h in page.hits])
            offset += 5
            if not page.has_more:
                break
        assert [len(p) for p in pages] == [5, 5, 2]
        assert sorted(i for p in pages for i in p) == stored  # each once
    assert ids(uow, limit=5, offset=12) == []


# --- whatever is typed -----------------------------------------------------------------

NASTY = ['"', '""', '"unclosed', "a\"b", "(", ")", "(police", "police)", "-", "--", "-police",
         "*", "police*", "**", "OR", "OR OR", "police OR", "OR police", "AND", "NOT", "NOT x",
         "NEAR", "NEAR(police killed)", "NEAR/2", "police NEAR/3 killed", "title:police",
         "actors:", "^police", "{title}: x", "+", "police + killed", ":", ";", "'", "\\",
         "\x00", "\x02", "\u200b", "日本語", "👮 police", "Ωmega", "_", "__init__", "1", "2024",
         "   ", "", "ß", "İstanbul", "\n\t", "a" * 500, "x " * 200, "\"a\" OR \"b\""]


@pytest.mark.parametrize("typed", NASTY)
def test_anything_typed_is_searched_without_error(uow: UowFactory, base: dict[str, int],
                                                  typed: str) -> None:
    for extra in ({}, {"countries": ["SY"], "min_reliability": "B"}):
        ids(uow, text=typed, **extra)
        ids(uow, actor=typed, **extra)


@given(typed=st.text(max_size=60), actor=st.text(max_size=20), filtered=st.booleans())
def test_arbitrary_strings_never_raise(uow: UowFactory, base: dict[str, int], typed: str,
                                       actor: str, filtered: bool) -> None:
    extra: dict[str, Any] = {"countries": ["YE"], "min_reliability": "D"} if filtered else {}
    with uow() as u:
        page = search_evidence(u.session, EvidenceQuery(text=typed, actor=actor, **extra))
    assert {h.item_id for h in page.hits} <= set(base.values()) and not page.has_more


@given(st.text(max_size=60))
def test_the_fts_expression_is_always_valid(typed: str) -> None:
    expression = fts_expression(typed)
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'unicode61 "
               "remove_diacritics 2')")
    if expression:
        db.execute("SELECT * FROM t WHERE t MATCH ?", (expression,)).fetchall()


# --- edits and the index ---------------------------------------------------------------

def test_search_reflects_edits(uow: UowFactory, officer: Actor, database: Database) -> None:
    (one,) = store(uow, officer, item("Shelling of Kharkiv", actors=["Unit Alpha"],
                                      summary="Hospital hit", countries=["UA"]))
    with uow() as u:
        edit_evidence(u, officer, one, item("Shelling of Mariupol", actors=["Unit Bravo"],
                                            summary="School hit", countries=["RU"]),
                      expected_version=1)
    assert ids(uow, text="kharkiv") == [] and ids(uow, text="hospital") == []
    assert ids(uow, actor="alpha") == [] and ids(uow, countries=["UA"]) == []
    assert ids(uow, text="mariupol school") == [one] == ids(uow, actor="bravo")
    assert ids(uow, countries=["RU"], text="shelling") == [one]
    with uow() as u:
        (hit,) = search_evidence(u.session, EvidenceQuery(text="school")).hits
        assert get_evidence(u, one).version_no == 2
    assert f"{MARK_START}School{MARK_END}" in hit.snippet
    fts_ok(database)


def test_removing_by_id_reads_the_indexed_version(uow: UowFactory, officer: Actor,
                                                  database: Database) -> None:
    data = item("Detention camp", actors=["Guard unit"], summary="Überfüllt")
    (one,) = store(uow, officer, data)
    with uow() as u:
        search.remove_evidence(u.session, [one])
        u.commit()
    assert ids(uow, text="detention") == [] and ids(uow, actor="guard") == []
    with uow() as u:  # indexed again: the index is whole only if the removal was exact
        search.index_evidence(u.session, [(one, data)])
        u.commit()
    assert ids(uow, text="uberfullt camp") == [one]
    fts_ok(database)


# --- at scale --------------------------------------------------------------------------

def test_words_matching_very_many_items_rank_the_newest(uow: UowFactory, officer: Actor,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    best_but_old, *rest = store(
        uow, officer, item("Curfew curfew curfew", summary="curfew", countries=["SY"]),
        *[item(f"Report {n}", full_text="a curfew was declared " + "filler " * 40,
               countries=["SY" if n < 2 else "YE"]) for n in range(11)])
    assert ids(uow, text="curfew")[0] == best_but_old  # under the cap: the true ranking
    monkeypatch.setattr(search, "CANDIDATE_CAP", 5)
    first = ids(uow, text="curfew", limit=3)
    assert len(first) == 3 and set(first) <= set(rest[-5:])  # the newest five, best first
    with uow() as u:
        page = search_evidence(u.session, EvidenceQuery(text="curfew", limit=3))
        assert page.has_more
        # a page reaching past the cap widens it: every match can be reached
        page = search_evidence(u.session, EvidenceQuery(text="curfew", limit=12))
        assert page.hits[0].item_id == best_but_old and len(page.hits) == 12
        assert not page.has_more
        # the cap counts matches within the filters: three in Syria, ranked exactly
        page = search_evidence(u.session, EvidenceQuery(text="curfew", limit=2,
                                                        countries=["SY"]))
        assert page.hits[0].item_id == best_but_old and page.has_more


def test_without_full_text_search_a_substring_filter(uow: UowFactory, base: dict[str, int],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "is_sqlite", lambda _s: False)
    assert ids(uow, text="Yemen", countries=["YE"]) == [base["ye_new"], base["ye_old"]]


def test_the_index_survives_migration_0005_both_ways(tmp_path: Path) -> None:
    """A database at 0004 with evidence (written as 0004 wrote it), upgraded: searchable,
    snippets from the current versions, actors backfilled; downgraded: searchable again."""
    from alembic import command
    from sqlalchemy import create_engine

    path = tmp_path / "old.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    cfg = migrate.alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
        conn.exec_driver_sql(
            "INSERT INTO users (id, username, full_name, role, password_hash, active, "
            "created_at, updated_at) VALUES (1, 'ada', 'Ada', 'administrator', 'x', 1, "
            "'2026-01-01 00:00:00', '2026-01-01 00:00:00')")
        conn.exec_driver_sql(
            "INSERT INTO evidence_items (id, is_demo, created_at, created_by_id, row_version)"
            " VALUES (7, 0, '2026-01-01 00:00:00', 1, 1)")
        conn.exec_driver_sql(
            "INSERT INTO evidence_versions (id, item_id, version_no, content_sha256, title, "
            "publisher, source_kind, document_ref, url, published_on, countries, places, "
            "actors, violations, item_categories, reliability, credibility, summary, "
            "full_text, attachment_name, created_at, created_by_id) VALUES (3, 7, 1, 'h', "
            "'Raid on Ağrı market', '', 'ngo', '', '', '2020-05-01', '[\"TR\"]', 'Ağrı', "
            "'[\"Jandarma \\u00d6zel\", \"Unit 9\"]', '[]', '[]', 'B', '2', 'Stalls burned', "
            "'Full text of the raid', '', '2026-01-01 00:00:00', 1)")
        conn.exec_driver_sql("UPDATE evidence_items SET current_version_id = 3")
        conn.exec_driver_sql(
            "INSERT INTO evidence_fts (rowid, title, summary, body, actors, places) VALUES "
            "(7, 'Raid on Ağrı market', 'Stalls burned', 'Full text of the raid', "
            "'Jandarma Özel ; Unit 9', 'Ağrı')")
    engine.dispose()
    db = open_database(path)
    try:
        assert db.migration.before == "0004"
        with UnitOfWork(db.session_factory) as u:
            (hit,) = search_evidence(u.session, EvidenceQuery(text="agr raid")).hits
            assert hit.item_id == 7 and MARK_START in hit.snippet
            assert [h.item_id for h in search_evidence(u.session, EvidenceQuery(
                actor="jandarma ozel")).hits] == [7]
            assert u.session.execute(text(
                "SELECT actors_text, sort_date FROM evidence_versions")).one() == (
                "Jandarma Özel ; Unit 9", "2020-05-01")
        fts_ok(db)
        with db.engine.begin() as conn:
            cfg = migrate.alembic_config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0004")
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql(
                "SELECT rowid, actors FROM evidence_fts WHERE evidence_fts MATCH 'raid'"
            ).all() == [(7, "Jandarma Özel ; Unit 9")]
            assert "sort_date" not in {c[1] for c in conn.exec_driver_sql(
                "PRAGMA table_info(evidence_versions)")}
    finally:
        db.dispose()
