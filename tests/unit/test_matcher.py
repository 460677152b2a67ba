"""The screening matcher: what scores high (word order, transliteration, legal forms, small
misspellings), what stays low (a shared common word), the caps and qualifiers, and that every
hit explains itself truthfully."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from app.errors import Cancelled
from app.screening.entries import STRONG, WEAK, Alias, ListEntry
from app.screening.matcher import (
    COUNTRY_MATCH,
    COUNTRY_MISMATCH,
    DEFAULT_THRESHOLD,
    DOB_EXACT,
    DOB_MISMATCH,
    DOB_YEAR,
    EXACT,
    KIND_MISMATCH,
    TOKEN_SET,
    WEAK_ALIAS_CAP,
    WORD_ORDER,
    Explanation,
    Hit,
    Indexed,
    MatchIndex,
    Party,
    Qualifier,
    _Query,
    legal_forms_dropped,
    qualifiers,
    scripts,
)
from app.screening.normalise import normalise, skeleton

T = DEFAULT_THRESHOLD

ENTRIES = [
    ListEntry("6908043", "individual", "ABOUD ROGO MOHAMMED",
              (Alias("Aboud Rogo", WEAK, "Low"), Alias("Sheikh Aboud", WEAK, "Low")),
              birth_dates=("1969",), countries=("KE",), reference="SOi.016"),
    ListEntry("I-1", "individual", "Ivan Petrovich Sidorov",
              (Alias("Иван Петрович Сидоров", STRONG, "original script"),),
              birth_dates=("1970-05-01",), countries=("RU",)),
    ListEntry("E-1", "entity", "Romashka LLC", countries=("RU",)),
    ListEntry("E-2", "entity", "Acme Trading Co., Ltd.", countries=("AE",)),
    ListEntry("E-3", "entity", "Zarya Shipping", (Alias("Dawn Maritime Ltd", STRONG, "a.k.a."),),
              countries=("KP",)),
    ListEntry("I-2", "individual", "John William Smith", birth_dates=("1960/1965",)),
    ListEntry("V-1", "vessel", "Ocean Pearl", (Alias("Kwang Myong", STRONG, "f.k.a."),)),
    ListEntry("I-3", "individual", "Abu Hafs", (Alias("Hafs the Egyptian", WEAK, "Low"),)),
    ListEntry("E-4", "entity", "HIZBALLAH", (Alias("Party of God", STRONG, "a.k.a."),)),
]


def make_index(entries: list[ListEntry] = ENTRIES, list_id: int = 1) -> MatchIndex:
    return MatchIndex(Indexed(list_id, 10 + list_id, e, f"hash-{e.key}") for e in entries)


@pytest.fixture(scope="module")
def index() -> MatchIndex:
    return make_index()


def screen(index: MatchIndex, name: str, threshold: int = T, **details: str) -> list[Hit]:
    return index.screen(Party("party-1", name, **details), threshold)


def best(index: MatchIndex, name: str, entry_key: str, **details: str) -> Hit:
    """The party's hit on this entry at threshold 0 (so that low scores can be checked)."""
    return next(h for h in screen(index, name, 0, **details) if h.entry_key == entry_key)


def test_index_counts_entries_and_names(index: MatchIndex) -> None:
    assert index.entry_count == len(ENTRIES)
    assert index.name_count == sum(len(e.all_names()) for e in ENTRIES)


def test_word_order_scores_high(index: MatchIndex) -> None:
    [hit] = screen(index, "ROGO MOHAMMED ABOUD")
    assert hit.entry_key == "6908043" and hit.score >= 95
    e = hit.explanation
    assert e.method == WORD_ORDER and "word order differs" in e.features
    assert e.matched_name == "ABOUD ROGO MOHAMMED" and e.matched_note == "primary name"
    # The same order ranks above another order.
    assert screen(index, "Aboud Rogo Mohammed")[0].score > hit.score


def test_a_small_misspelling_still_hits(index: MatchIndex) -> None:
    [hit] = screen(index, "Aboud Rogo Mohamed")
    assert hit.entry_key == "6908043" and 90 <= hit.score < 100
    assert any("'mohamed' and 'mohammed'" in f for f in hit.explanation.features)


def test_cyrillic_party_meets_latin_name(index: MatchIndex) -> None:
    [hit] = screen(index, "Иван Петрович Сидоров")
    assert hit.entry_key == "I-1" and hit.score == 100
    assert "party name transliterated from Cyrillic" in hit.explanation.features


def test_latin_party_meets_an_original_script_alias() -> None:
    # Only the Cyrillic alias is listed: the hit comes through it, and says so.
    idx = make_index([ListEntry("I-9", "individual", "Сергей Кужугетович Шойгу")])
    [hit] = screen(idx, "Sergei Kuzhugetovich Shoigu")
    e = hit.explanation
    assert hit.score >= T and e.matched_name == "Сергей Кужугетович Шойгу"
    assert "list name transliterated from Cyrillic" in e.features
    assert not any("party name transliterated" in f for f in e.features)
    assert any("sound alike" in f for f in e.features)


def test_a_latin_match_claims_no_transliteration(index: MatchIndex) -> None:
    [hit] = screen(index, "Ivan Petrovich Sidorov")
    assert not any("transliterated" in f for f in hit.explanation.features)
    assert scripts("Müller ＡＣＭＥ") == []
    assert scripts("محمد Иван") == ["Arabic", "Cyrillic"]


def test_arabic_script_meets_a_latin_spelling() -> None:
    idx = make_index([ListEntry("I-7", "individual", "Mohammed Hamdan")])
    hit = best(idx, "محمد حمدان", "I-7")
    assert hit.score >= T
    assert "party name transliterated from Arabic" in hit.explanation.features


def test_legal_forms_do_not_matter_and_are_named(index: MatchIndex) -> None:
    [hit] = screen(index, "ООО Ромашка")
    assert hit.entry_key == "E-1" and hit.score == 100 and hit.explanation.method == EXACT
    assert "legal form 'OOO' ignored in the party name" in hit.explanation.features
    assert "legal form 'LLC' ignored in the list name" in hit.explanation.features
    [hit] = screen(index, "ACME TRADING LIMITED")
    assert hit.entry_key == "E-2" and hit.score == 100
    assert "legal form 'LIMITED' ignored in the party name" in hit.explanation.features
    assert "legal form 'CO', 'LTD' ignored in the list name" in hit.explanation.features
    assert legal_forms_dropped("Limited Liability Company Romashka") == [
        "LIMITED LIABILITY COMPANY"]
    assert legal_forms_dropped("Company") == []  # kept as the name


def test_full_width_and_accents_are_explained() -> None:
    idx = make_index([ListEntry("E-8", "entity", "Müller Präzision GmbH")])
    [hit] = screen(idx, "ＭＵＬＬＥＲ ＰＲＡＺＩＳＩＯＮ")
    assert hit.score == 100
    features = hit.explanation.features
    assert "party name: full-width characters read as ordinary ones" in features
    assert "list name: accents ignored (ü ä)" in features
    assert not any("transliterated" in f for f in features)


def test_words_run_together_still_match(index: MatchIndex) -> None:
    [hit] = screen(index, "AcmeTrading")
    assert hit.entry_key == "E-2" and 90 <= hit.score < 100
    assert any(f.startswith("words run together differently") for f in hit.explanation.features)


def test_initials_count_for_their_words(index: MatchIndex) -> None:
    [hit] = screen(index, "Smith, John W.")
    assert hit.entry_key == "I-2" and hit.score >= 90
    assert "'w' taken as the initial of 'william'" in hit.explanation.features


def test_an_extra_middle_name_costs_a_little(index: MatchIndex) -> None:
    [hit] = screen(index, "John Smith")
    assert hit.entry_key == "I-2" and T <= hit.score < 95
    e = hit.explanation
    assert e.method == TOKEN_SET
    assert "2 of 3 words identical" in e.features
    assert "not in the party name: 'william'" in e.features


@pytest.mark.parametrize(("party", "entry_key"), [
    ("Global Trading LLC", "E-2"),        # shares only "trading"
    ("Trading", "E-2"),
    ("Mohammed", "6908043"),              # shares only "mohammed"
    ("Mohammed Hassan Ali", "6908043"),
    ("Smith", "I-2"),                     # a surname alone
    ("Petrov", "I-1"),
    ("Ocean Shipping", "E-3"),            # a generic word only
])
def test_sharing_one_common_word_stays_well_below_threshold(
        index: MatchIndex, party: str, entry_key: str) -> None:
    hits = screen(index, party, 0)
    found = [h for h in hits if h.entry_key == entry_key]
    assert all(h.score <= T - 8 for h in found)
    assert not [h for h in screen(index, party) if h.entry_key == entry_key]


def test_only_common_words_in_common_is_said(index: MatchIndex) -> None:
    hit = best(index, "Mohammed", "6908043")
    assert any(f.startswith("only common words in common") for f in hit.explanation.features)
    assert "common words count for less: 'mohammed'" in hit.explanation.features


def test_a_short_word_with_one_letter_changed_is_another_name() -> None:
    idx = make_index([ListEntry("K-1", "individual", "KIM, Song Hun"),
                      ListEntry("K-2", "individual", "KIM, Jong Un")])
    [hit] = screen(idx, "Kim Jong Un")
    assert hit.entry_key == "K-2"


def test_a_weak_alias_alone_is_capped_below_threshold(index: MatchIndex) -> None:
    assert WEAK_ALIAS_CAP < T
    assert not [h for h in screen(index, "Sheikh Aboud") if h.entry_key == "6908043"]
    hit = best(index, "Sheikh Aboud", "6908043")
    e = hit.explanation
    assert hit.score == WEAK_ALIAS_CAP and e.name_score == 100
    assert e.matched_name == "Sheikh Aboud" and e.matched_quality == WEAK
    assert "weak alias" in e.cap and str(WEAK_ALIAS_CAP) in e.cap
    assert any("weak alias" in line for line in e.lines())


def test_a_weak_alias_with_agreeing_details_is_a_hit(index: MatchIndex) -> None:
    [hit] = screen(index, "Sheikh Aboud", birth_date="1969-03-02", country="KE")
    assert hit.score == WEAK_ALIAS_CAP + DOB_YEAR + COUNTRY_MATCH
    assert hit.explanation.cap


def test_a_strong_name_beats_a_weak_alias_and_caps_nothing(index: MatchIndex) -> None:
    [hit] = screen(index, "Aboud Rogo")  # weak alias exactly; primary name 2 of 3 words
    e = hit.explanation
    assert e.matched_name == "ABOUD ROGO MOHAMMED" and e.cap == ""
    assert hit.score == e.name_score


def test_the_best_alias_is_reported(index: MatchIndex) -> None:
    [hit] = screen(index, "Dawn Maritime")
    e = hit.explanation
    assert hit.entry_key == "E-3" and hit.entry_name == "Zarya Shipping"
    assert (e.matched_name, e.matched_quality, e.matched_note) == (
        "Dawn Maritime Ltd", STRONG, "a.k.a.")
    assert hit.score == 100


def test_a_single_word_party_works(index: MatchIndex) -> None:
    [hit] = screen(index, "Hezbollah")
    assert hit.entry_key == "E-4" and hit.score >= T
    assert any("sound alike" in f for f in hit.explanation.features)


def test_date_of_birth_qualifiers(index: MatchIndex) -> None:
    base = best(index, "Ivan Petrovich Sidorov", "I-1").score
    exact = best(index, "Ivan Petrovich Sidorov", "I-1", birth_date="1970-05-01")
    year = best(index, "Ivan Petrovich Sidorov", "I-1", birth_date="1970")
    other = best(index, "Ivan Petrovich Sidorov", "I-1", birth_date="1985-01-01")
    close = best(index, "Ivan Petrovich Sidorov", "I-1", birth_date="1971")
    assert exact.explanation.qualifiers == (
        Qualifier("date of birth 1970-05-01 matches 1970-05-01 exactly", DOB_EXACT),)
    assert year.explanation.qualifiers == (
        Qualifier("date of birth 1970 matches 1970-05-01", DOB_YEAR),)
    assert other.explanation.qualifiers == (
        Qualifier("date of birth 1985-01-01 does not match 1970-05-01", DOB_MISMATCH),)
    assert close.explanation.qualifiers[0].delta == 0
    assert base == 100 and exact.score == year.score == 100  # clamped
    assert other.score == 100 + DOB_MISMATCH


def test_a_date_range_is_understood(index: MatchIndex) -> None:
    inside = best(index, "John William Smith", "I-2", birth_date="1962-07-04")
    outside = best(index, "John William Smith", "I-2", birth_date="1950")
    assert inside.explanation.qualifiers == (
        Qualifier("date of birth 1962-07-04 is within 1960/1965", DOB_YEAR),)
    assert outside.explanation.qualifiers[0].delta == DOB_MISMATCH
    assert outside.score == outside.explanation.name_score + DOB_MISMATCH


def test_country_qualifiers(index: MatchIndex) -> None:
    name = "John Smith"  # below 100, so both directions show
    plain = best(index, "Zarya Shipping Co", "E-3")
    same = best(index, "Zarya Shipping Co", "E-3", country="kp")
    other = best(index, "Zarya Shipping Co", "E-3", country="GB")
    assert plain.score == 100 and plain.explanation.qualifiers == ()
    assert same.explanation.qualifiers == (
        Qualifier("country KP is among the entry's countries (KP)", COUNTRY_MATCH),)
    assert other.explanation.qualifiers == (
        Qualifier("country GB is not among the entry's countries (KP)", COUNTRY_MISMATCH),)
    assert other.score == 100 + COUNTRY_MISMATCH
    # No countries on the entry: no change either way.
    assert best(index, name, "I-2", country="GB").explanation.qualifiers == ()


def test_kind_qualifiers(index: MatchIndex) -> None:
    entity = best(index, "Ocean Pearl", "V-1", kind="entity")
    person = best(index, "Ocean Pearl", "V-1", kind="individual")
    unknown = best(index, "Ocean Pearl", "V-1")
    assert entity.score == unknown.score == 100
    assert person.explanation.qualifiers == (
        Qualifier("the party is an individual, the entry a vessel", KIND_MISMATCH),)
    assert person.score == 100 + KIND_MISMATCH
    firm = best(index, "Ivan Petrovich Sidorov", "I-1", kind="entity")
    assert firm.explanation.qualifiers[0].delta == KIND_MISMATCH


def test_qualifiers_add_up_and_clamp() -> None:
    entry = ListEntry("X", "individual", "A B", birth_dates=("1970",), countries=("RU",))
    party = Party("p", "A B", "GB", "entity", "1990")
    qs = qualifiers(party, entry)
    assert [q.delta for q in qs] == [DOB_MISMATCH, COUNTRY_MISMATCH, KIND_MISMATCH]
    assert qualifiers(Party("p", "A B", birth_date="not a date"), entry) == []


def test_threshold_is_respected(index: MatchIndex) -> None:
    everything = screen(index, "John Smith", 0)
    for t in (0, 50, 82, 90, 100):
        hits = screen(index, "John Smith", t)
        assert all(h.score >= t for h in hits)
        assert len(hits) == sum(1 for h in everything if h.score >= t)
    assert screen(index, "John Smith", 90) == []


def test_hits_are_sorted_and_one_per_entry() -> None:
    idx = make_index([ListEntry("A", "entity", "Northern Star Shipping"),
                      ListEntry("B", "entity", "Northern Star Shipping Lines",
                                (Alias("Northern Star Shiping", STRONG, "a.k.a."),)),
                      ListEntry("C", "entity", "Northern Stars")])
    hits = screen(idx, "Northern Star Shipping", 0)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len({h.entry_key for h in hits}) == len(hits)
    assert hits[0].entry_key == "A" and hits[0].score == 100
    # One letter missing costs less than an extra word: the alias is B's best name.
    b = next(h for h in hits if h.entry_key == "B")
    assert b.explanation.matched_name == "Northern Star Shiping" and b.score >= 95


def test_nothing_to_screen_finds_nothing(index: MatchIndex) -> None:
    assert screen(index, "", 0) == [] and screen(index, " ,. ", 0) == []
    assert make_index([]).screen(Party("p", "Acme"), 0) == []


def test_hit_carries_the_list_entry_and_party(index: MatchIndex) -> None:
    [hit] = index.screen(Party("key-7", "Romashka", "RU", "entity", "", "consignee"), T)
    assert (hit.party_key, hit.list_id, hit.version_id, hit.entry_key, hit.entry_hash,
            hit.entry_name, hit.entry_kind) == ("key-7", 1, 11, "E-1", "hash-E-1",
                                                "Romashka LLC", "entity")
    assert hit.score == 100  # +5 country, clamped


def test_explanation_round_trips_and_reads(index: MatchIndex) -> None:
    [hit] = screen(index, "John Smyth", 70, birth_date="1961", country="GB")
    e = hit.explanation
    assert Explanation.from_json(e.to_json()) == e
    lines = e.lines()
    assert lines[0] == "Closest list name “John William Smith” (primary name)"
    assert lines[1].startswith(f"Name score {e.name_score} (token set)")
    assert "Date of birth 1961 is within 1960/1965 (+5)" in lines


def test_screen_many_collects_hits_and_reports_progress(index: MatchIndex) -> None:
    parties = [Party("a", "Romashka"), Party("b", "Nobody In Particular"),
               Party("c", "Romashka"), Party("d", "Dawn Maritime")]
    seen: list[tuple[int, int]] = []
    hits = index.screen_many(parties, T, progress=lambda n, t: seen.append((n, t)))
    assert [(h.party_key, h.entry_key) for h in hits] == [("a", "E-1"), ("c", "E-1"),
                                                          ("d", "E-3")]
    assert seen[-1] == (4, 4)


def test_screen_many_can_be_cancelled(index: MatchIndex) -> None:
    asked = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) > 2

    with pytest.raises(Cancelled):
        index.screen_many([Party(str(i), "Romashka") for i in range(10)], T,
                          is_cancelled=cancelled)
    assert len(asked) == 3


def test_blocking_finds_misspelt_rare_words_among_many_names() -> None:
    fillers = [ListEntry(f"F-{i}", "entity", f"Filler{chr(97 + i % 26)}{i} Trading")
               for i in range(400)]
    target = ListEntry("T", "entity", "Kubrar Industrial Trading")
    idx = make_index([*fillers, target])
    assert [h.entry_key for h in screen(idx, "Kubrrar Industrial Trading")][:1] == ["T"]
    assert [h.entry_key for h in screen(idx, "Industrial Kubrar")][:1] == ["T"]
    # A party made only of a common word still finds the firm of that name.
    idx = make_index([*fillers, ListEntry("TT", "entity", "Trading Co")])
    assert [h.entry_key for h in screen(idx, "TRADING COMPANY")] == ["TT"]


names = st.lists(st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=12),
                 min_size=1, max_size=4).map(" ".join)
entries = st.builds(
    lambda k, n, aliases, kind, dob, country: ListEntry(
        k, kind, n, tuple(Alias(a, q) for a, q in aliases), dob, country),
    st.uuids().map(str), names,
    st.lists(st.tuples(names, st.sampled_from((STRONG, WEAK))), max_size=3),
    st.sampled_from(("individual", "entity", "vessel")),
    st.lists(st.sampled_from(("1970", "1970-05-01", "1960/1965", "x")), max_size=2)
    .map(tuple),
    st.lists(st.sampled_from(("RU", "GB", "KP")), max_size=2).map(tuple))
parties = st.builds(Party, st.just("p"), names,
                    st.sampled_from(("", "RU", "GB")), st.sampled_from(("", "individual",
                                                                        "entity")),
                    st.sampled_from(("", "1970", "1970-05-01", "1999-12-31", "junk")))


@given(st.lists(entries, max_size=6), parties)
def test_scores_stay_between_0_and_100(listed: list[ListEntry], party: Party) -> None:
    for hit in make_index(listed).screen(party, 0):
        assert 0 <= hit.score <= 100 and 0 <= hit.explanation.name_score <= 100
        assert hit.explanation.lines()


@given(st.lists(entries, max_size=5), entries,
       st.sampled_from((str.upper, str.lower, lambda s: f"{s} LLC", lambda s: f" {s}. ")))
def test_an_exact_name_is_always_a_hit(others: list[ListEntry], target: ListEntry,
                                       variant: object) -> None:
    party_name = variant(target.name)  # type: ignore[operator]
    assume(normalise(target.name) and normalise(party_name) == normalise(target.name))
    target = ListEntry("the-target", target.kind, target.name, target.aliases)
    hits = make_index([*others, target]).screen(Party("p", party_name), 90)
    [hit] = [h for h in hits if h.entry_key == "the-target"]
    assert hit.score == 100 and hit.explanation.method == EXACT


@given(st.lists(entries, max_size=6), parties, st.integers(0, 100))
def test_a_threshold_only_drops_hits(listed: list[ListEntry], party: Party,
                                     threshold: int) -> None:
    # The matcher skips names that cannot reach the threshold: that must change nothing else.
    idx = make_index(listed)
    assert idx.screen(party, threshold) == [h for h in idx.screen(party, 0)
                                            if h.score >= threshold]


words = st.text(alphabet="abcdehikmnorsuy", min_size=1, max_size=9)


@given(st.lists(words, min_size=1, max_size=4), st.lists(words, max_size=30))
def test_batch_word_similarities_equal_one_by_one(party: list[str], listed: list[str]) -> None:
    idx = make_index()
    batch = _Query(tuple(party), idx)
    batch.fill({w: skeleton(w) for w in listed})
    single = _Query(tuple(party), idx)
    for w in listed:
        assert batch.sims[w] == single._row(w, skeleton(w)), w
