"""Fuzzy matching of party names against sanctions-list names, with the reasons for each hit.

Plain Python over rapidfuzz: no database, no Qt. The service builds one ``MatchIndex`` per set
of list versions and screens parties against it; every hit carries an ``Explanation`` that an
officer can read and that is stored with the screening run.

How a party is screened:

1. Its name is normalised like every list name (``normalise.name_tokens``: NFKC, Latin
   transliteration, case, accents, legal forms dropped).
2. Candidates come from *token blocking*: an inverted index from each name word, and from its
   consonant skeleton, to the names holding it. A party word of 4 letters or more also reaches
   the index words one slip away (their one-letter deletions meet), and a word the index does
   not hold at all the closest words by rapidfuzz, so one misspelt word still finds its names.
   Common keys (posting lists above 2 % of the names and ``COMMON_POSTINGS_MIN``, and the
   ``GENERIC_WORDS``) are used only when the party has no rarer key; one-letter words are
   never keys. Names are ranked by the summed rarity (inverse document frequency) of the keys
   they share and at most ``MAX_CANDIDATES`` are scored; an exact name always is.
3. Each candidate name is scored by aligning words (see ``_Query.align``): every party word is
   paired with at most one list word by rapidfuzz's ratio (or a shared consonant skeleton or
   initial); the score mixes how much of the party name and how much of the list name is
   covered, weighted so that common words ("trading", "al", "Mohammed") count for less.
   Word order barely matters; an extra middle name costs a little; sharing a single word
   costs a lot. ``token_set_ratio`` alone would call "Trading" a perfect match for "Acme
   Trading"; coverage is what stops that.
4. The best of an entry's names counts, weak aliases capped; date of birth, country and kind
   then add or take away points (``Qualifier``).
"""

from __future__ import annotations

import heapq
import math
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from app.errors import Cancelled
from app.i18n import N_, _
from app.screening.entries import WEAK, Alias, ListEntry
from app.screening.normalise import LEGAL_FORMS, fold, name_tokens, skeleton

# --- tuning ---------------------------------------------------------------------------------

#: The threshold the settings ship with (``screening.threshold``); the caps below are set
#: against it.
DEFAULT_THRESHOLD = 82
#: A weak alias ("Low" quality, OFAC "weak aka") is too vague to identify anyone alone: its
#: name score is capped below the default threshold, so it only becomes a hit when other
#: details agree: an exact date of birth (75 + 8), or the year and the country (75 + 5 + 5).
WEAK_ALIAS_CAP = 75
#: When the names share only common words ("Mohammed", "Trading") and some distinctive word
#: is left over, the name score is at most this: well below any sensible threshold.
COMMON_ONLY_CAP = 60
#: When only one distinctive word of a longer list name is found ("Petrov" for "Ivan
#: Petrov"), the name score is at most this: a surname alone is not a hit, but a surname
#: with an exact date of birth is.
ONE_WORD_CAP = 74
#: Taken off when the words are all there but in another order, so that the same order ranks
#: first. Lists write "SURNAME Given" and applications "Given Surname": it must stay small.
WORD_ORDER_PENALTY = 2
#: How the two coverages combine: the better covered side weighs more, so that an extra
#: middle name on one side costs a little (about 87 for 2 of 3 words) and a lone shared word a
#: lot (about 70 for 1 of 3).
COVER_HIGH = 0.6
COVER_LOW = 1.0 - COVER_HIGH
#: Word pairs below this similarity are not paired at all: one letter changed in a short
#: word ("jong" / "song", 75) is another name, not a spelling of it.
MIN_TOKEN_SIM = 76.0
#: Similarity given to two words with the same consonant skeleton ("mhmd" from Arabic and
#: "mohammed", "shoygu" and "shoigu"); skeletons shorter than 3 letters are too vague.
SOUND_ALIKE_SIM = 85.0
#: Similarity given to two words of 4 letters or more one typing slip apart (a letter
#: changed, added, dropped or two swapped) when they start alike: "ivna" / "ivan" and "omir" /
#: "omar" are slips that rapidfuzz's ratio puts at 75, "jong" / "song" are two names.
ONE_EDIT_SIM = 80.0
#: One slip in a word of 4 letters or more leaves rapidfuzz's ratio at 75 or above.
_ONE_EDIT_FLOOR = 74.9
#: Similarity given to an initial and a word it starts ("j" and "john").
INITIAL_SIM = 80.0
#: Weight of a common word and of a one-letter word (an initial) against 1.0 for any other.
COMMON_WEIGHT = 0.35
INITIAL_WEIGHT = 0.5
#: Names written with other spacing ("abdulrahman" / "abdul rahman") are compared whole;
#: this close or closer, the whole comparison may win (and never scores above 97).
SPACING_MIN = 90.0
SPACING_MAX = 97.0
#: A blocking key whose posting list is longer than this share of all names (and than
#: ``COMMON_POSTINGS_MIN``) is "common": used only when a party has no rarer key, and its
#: word weighs ``COMMON_WEIGHT``. The absolute floor keeps a small list from calling every
#: word common.
COMMON_SHARE = 0.02
COMMON_POSTINGS_MIN = 50
#: Names scored per party at most, the ones sharing the most keys first.
MAX_CANDIDATES = 200
#: A party word of this length or more also finds index words one edit away (insertion,
#: deletion, substitution, most transpositions); shorter words would find too many.
NEAR_MIN_LENGTH = 4
#: A key reached through such a neighbouring word counts this much of an exact one.
NEAR_FACTOR = 0.8
#: Index words looked up by rapidfuzz for a party word the index does not hold at all (among
#: the words with the same first letter).
FUZZY_VOCAB_LIMIT = 8
FUZZY_VOCAB_MIN = 75.0

#: Qualifier points.
DOB_EXACT = 8
DOB_YEAR = 5
DOB_MISMATCH = -15
#: Years either side of a listed date (or range) that are "close": no points either way.
DOB_TOLERANCE_YEARS = 1
COUNTRY_MATCH = 5
COUNTRY_MISMATCH = -8
KIND_MISMATCH = -15

#: Words that say little about who a party is, whatever the list: trading words, particles,
#: and the commonest given name on sanctions lists in its usual romanisations. Words a list
#: itself uses very often are added per index.
GENERIC_WORDS = frozenset((
    "trading", "trade", "traders", "general", "international", "intl", "global", "group",
    "holding", "holdings", "industries", "industry", "industrial", "commercial", "services",
    "service", "import", "export", "enterprise", "enterprises", "company", "technology",
    "technologies", "engineering", "shipping", "logistics", "investment", "investments",
    "development", "management", "consulting", "solutions", "systems", "products", "center",
    "centre", "house", "partners", "agency", "bank", "national", "new", "united",
    "the", "of", "and", "for", "in", "de", "del", "della", "des", "du", "la", "le", "di", "da",
    "dos", "das", "van", "von", "der", "den", "al", "el", "ul", "bin", "ben", "ibn", "bint",
    "abu", "abd", "abdul", "abdel", "mohammed", "mohammad", "mohamed", "muhammad",
    "muhammed", "mohamad", "mohd", "mhd",
))

#: Blocking keys of the generic words (the words and their skeletons): common whatever their
#: posting lists, so that "Mohammed" or "Trading" never crowds out a rarer word's names.
#: Short skeletons ("bn" of "bin") are left to the size rule: they also key rarer names.
_GENERIC_KEYS = GENERIC_WORDS | {"~" + k for w in GENERIC_WORDS if len(k := skeleton(w)) >= 3}

#: Which comparison won (stored in explanations as these words; translated when shown).
EXACT = N_("exact")
WORD_ORDER = N_("word order")
TOKEN_SET = N_("token set")
FUZZY = N_("fuzzy")

_OTHER_KINDS = frozenset(("entity", "vessel", "aircraft"))
_SCRIPTS = {"CYRILLIC": "Cyrillic", "ARABIC": "Arabic", "GREEK": "Greek", "HEBREW": "Hebrew",
            "HANGUL": "Hangul", "CJK": "Chinese characters", "HIRAGANA": "Japanese kana",
            "KATAKANA": "Japanese kana", "DEVANAGARI": "Devanagari", "THAI": "Thai",
            "GEORGIAN": "Georgian", "ARMENIAN": "Armenian", "ETHIOPIC": "Ethiopic",
            "BENGALI": "Bengali", "TAMIL": "Tamil", "KHMER": "Khmer", "LAO": "Lao",
            "MYANMAR": "Myanmar", "SYRIAC": "Syriac", "THAANA": "Thaana"}


# --- public shapes --------------------------------------------------------------------------

@dataclass(frozen=True)
class Party:
    """One party of an application, or a name typed for an ad hoc check."""

    key: str
    name: str
    country: str = ""
    kind: str = ""
    birth_date: str = ""
    role: str = ""


@dataclass(frozen=True)
class Indexed:
    """One entry as the index holds it, with the list and version it came from."""

    list_id: int
    version_id: int
    entry: ListEntry
    entry_hash: str


@dataclass(frozen=True)
class Qualifier:
    """Points added or taken away for something other than the name."""

    label: str
    delta: int


@dataclass(frozen=True)
class Explanation:
    """Why a party hit an entry: stored with the run, so it must read well years later."""

    matched_name: str
    matched_quality: str
    matched_note: str
    party_normalised: str
    name_normalised: str
    name_score: int
    method: str
    features: tuple[str, ...]
    qualifiers: tuple[Qualifier, ...]
    cap: str

    def lines(self) -> list[str]:
        """Human sentences for the UI, the CLI and the PDF, in a fixed order the screening
        pane relies on: the closest name, the name score, one line per feature, the cap if
        any, then one line per qualifier ending in its points ("(+5)")."""
        if self.matched_note == "primary name":
            what = _("primary name")
        else:
            what = _("strong alias") if self.matched_quality != WEAK else _("weak alias")
            if self.matched_note:
                what = f"{what}, {self.matched_note}"
        out = [_("Closest list name “{name}” ({what})").format(name=self.matched_name,
                                                              what=what),
               _("Name score {score} ({method}): “{party}” against “{listed}”").format(
                   score=self.name_score, method=_(self.method), party=self.party_normalised,
                   listed=self.name_normalised)]
        out += [f[:1].upper() + f[1:] for f in self.features]
        if self.cap:
            out.append(self.cap[:1].upper() + self.cap[1:])
        out += [f"{q.label[:1].upper()}{q.label[1:]} ({q.delta:+d})" for q in self.qualifiers]
        return out

    def to_json(self) -> dict[str, Any]:
        return {"matched_name": self.matched_name, "matched_quality": self.matched_quality,
                "matched_note": self.matched_note, "party_normalised": self.party_normalised,
                "name_normalised": self.name_normalised, "name_score": self.name_score,
                "method": self.method, "features": list(self.features),
                "qualifiers": [{"label": q.label, "delta": q.delta} for q in self.qualifiers],
                "cap": self.cap}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Explanation:
        return cls(matched_name=doc.get("matched_name", ""),
                   matched_quality=doc.get("matched_quality", ""),
                   matched_note=doc.get("matched_note", ""),
                   party_normalised=doc.get("party_normalised", ""),
                   name_normalised=doc.get("name_normalised", ""),
                   name_score=int(doc.get("name_score", 0)), method=doc.get("method", ""),
                   features=tuple(doc.get("features", ())),
                   qualifiers=tuple(Qualifier(q["label"], int(q["delta"]))
                                    for q in doc.get("qualifiers", ())),
                   cap=doc.get("cap", ""))


@dataclass(frozen=True)
class Hit:
    """A party's best match with one list entry, at or above the threshold."""

    party_key: str
    list_id: int
    version_id: int
    entry_key: str
    entry_hash: str
    entry_name: str
    entry_kind: str
    score: int
    explanation: Explanation


# --- scoring internals ----------------------------------------------------------------------

@dataclass(frozen=True)
class _Alignment:
    """How one party name lines up with one list name (details only built for hits)."""

    score: float
    method: str
    #: (party word index, list word index, similarity, how: 0 spelling, 1 skeleton, 2 initial)
    pairs: list[tuple[int, int, float, int]]
    reordered: bool = False
    spacing: bool = False
    cap: int = 0


#: What ``_Query.align`` returns for a name that cannot reach the floor it was given.
_BELOW = _Alignment(0.0, FUZZY, [])


class _Query:
    """A party name prepared once: tokens, skeletons, weights and a cache of word similarities
    (the same list words recur across candidates)."""

    __slots__ = ("compact", "info", "sims", "skels", "tokens", "weights", "wsum")

    def __init__(self, tokens: tuple[str, ...], index: MatchIndex) -> None:
        self.tokens = tokens
        self.skels = tuple(skeleton(t) for t in tokens)
        self.weights = tuple(index._weight(t) for t in tokens)
        self.info = tuple(index._informative(t) for t in tokens)
        self.wsum = sum(self.weights) or 1.0
        self.compact = "".join(tokens)
        self.sims: dict[str, tuple[tuple[int, float, int], ...]] = {}

    def _pair(self, i: int, q: str, qs: str, word: str, skel: str
              ) -> tuple[int, float, int] | None:
        """(party word index, similarity, how) when party word ``q`` is close enough to
        ``word``: how is 0 for spelling, 1 for a shared skeleton, 2 for an initial."""
        s = fuzz.ratio(q, word)
        how = 0
        if s < SOUND_ALIKE_SIM and qs == skel and len(skel) >= 3:
            s, how = SOUND_ALIKE_SIM, 1
        if s < INITIAL_SIM and (len(q) == 1 or len(word) == 1) and q[0] == word[0]:
            s, how = INITIAL_SIM, 2
        elif (s < ONE_EDIT_SIM and q[0] == word[0] and min(len(q), len(word)) >= 4
              and OSA.distance(q, word, score_cutoff=1) <= 1):
            s = ONE_EDIT_SIM
        return (i, s, how) if s >= MIN_TOKEN_SIM else None

    def _row(self, word: str, skel: str) -> tuple[tuple[int, float, int], ...]:
        """Every party word close enough to ``word``, by ``_pair``."""
        out = []
        for i, (q, qs) in enumerate(zip(self.tokens, self.skels, strict=True)):
            p = self._pair(i, q, qs, word, skel)
            if p is not None:
                out.append(p)
        return tuple(out)

    def fill(self, words: dict[str, str]) -> None:
        """``_row`` for many list words (word -> skeleton) at once: one rapidfuzz pass per party
        word over all of them, then the same rules as ``_row`` for the few that come back.
        Words under ``_ONE_EDIT_FLOOR`` can only be paired by skeleton or initial, which are
        looked up directly."""
        sims = self.sims
        new = [w for w in words if w not in sims]
        if not new:
            return
        found: dict[str, list[tuple[int, float, int]]] = {}
        by_skel: dict[str, list[str]] = {}
        singles = [w for w in new if len(w) == 1]
        for w in new:
            by_skel.setdefault(words[w], []).append(w)
        for i, (q, qs) in enumerate(zip(self.tokens, self.skels, strict=True)):
            close = {w for w, _s, _k in process.extract(
                q, new, scorer=fuzz.ratio, score_cutoff=_ONE_EDIT_FLOOR, limit=None)}
            if len(qs) >= 3:
                close.update(by_skel.get(qs, ()))
            if len(q) == 1:
                close.update(w for w in new if w[0] == q)
            else:
                close.update(w for w in singles if w == q[0])
            for w in close:
                entry = self._pair(i, q, qs, w, words[w])
                if entry is not None:
                    found.setdefault(w, []).append(entry)
        for w in new:
            sims[w] = tuple(sorted(found.get(w, ())))

    def align(self, name: _Name, floor: float = 0.0) -> _Alignment:
        """Pair words greedily, most similar first (nearer positions on ties), then score
        the coverage of both names; see the module docstring. A name that cannot reach
        ``floor`` gets ``_BELOW`` without the details being worked out."""
        qt, nt = self.tokens, name.tokens
        if qt == nt:
            return _Alignment(100.0, EXACT, [(i, i, 100.0, 0) for i in range(len(qt))])
        sims = self.sims
        pairs: list[tuple[float, int, int, int, int]] = []
        uq = un = 0.0
        qw, nw = self.weights, name.weights
        for j, word in enumerate(nt):
            row = sims.get(word)
            if row is None:
                row = sims[word] = self._row(word, name.skels[j])
            for i, s, how in row:
                pairs.append((s, -abs(i - j), i, j, how))
                uq += s * qw[i]
                un += s * nw[j]
        if floor > 0.0:
            # An upper bound: every pair counted, as if none excluded another.
            uq = min(1.0, uq / (100.0 * self.wsum))
            un = min(1.0, un / (100.0 * name.wsum))
            bound = 100.0 * (COVER_HIGH * max(uq, un) + COVER_LOW * min(uq, un))
            if bound < floor and (len(qt) == len(nt) or not name.spaceable
                                  or abs(len(self.compact) - len(name.compact)) > 2):
                return _BELOW
        used_q = used_n = 0
        matched: list[tuple[int, int, float, int]] = []
        mq = mn = 0.0
        if len(pairs) > 1:
            pairs.sort(reverse=True)
        for s, _d, i, j, how in pairs:
            if (used_q >> i) & 1 or (used_n >> j) & 1:
                continue
            used_q |= 1 << i
            used_n |= 1 << j
            matched.append((i, j, s, how))
            mq += s * self.weights[i]
            mn += s * name.weights[j]
        cq = mq / (100.0 * self.wsum)
        cn = mn / (100.0 * name.wsum)
        hi, lo = (cq, cn) if cq >= cn else (cn, cq)
        score = 100.0 * (COVER_HIGH * hi + COVER_LOW * lo)
        reordered = False
        if len(matched) > 1:
            matched.sort()
            reordered = any(matched[k][1] > matched[k + 1][1] for k in range(len(matched) - 1))
            if reordered:
                score -= WORD_ORDER_PENALTY
        complete = len(matched) == len(qt) == len(nt)
        method = (WORD_ORDER if reordered else FUZZY) if complete else TOKEN_SET
        cap = 0
        if not complete and matched:
            strong = sum(1 for i, j, _s, _h in matched if self.info[i] and name.info[j])
            if strong < 2:
                left_n = any(name.info[j] and not (used_n >> j) & 1 for j in range(len(nt)))
                if strong == 0 and (left_n or any(self.info[i] and not (used_q >> i) & 1
                                                  for i in range(len(qt)))):
                    cap = COMMON_ONLY_CAP
                elif strong == 1 and left_n:
                    cap = ONE_WORD_CAP
                if cap and score > cap:
                    score = float(cap)
                else:
                    cap = 0
        out = _Alignment(score, method, matched, reordered, False, cap)
        if (len(qt) != len(nt) and score < SPACING_MAX and name.spaceable
                and min(map(len, qt)) > 1 and abs(len(self.compact) - len(name.compact)) <= 2):
            whole = fuzz.ratio(self.compact, name.compact, score_cutoff=SPACING_MIN)
            if whole > score:
                out = _Alignment(min(whole, SPACING_MAX), FUZZY, matched, False, True)
        return out


class _Name:
    """One list name or alias, prepared at index build."""

    __slots__ = ("alias", "compact", "entry", "info", "skels", "spaceable", "tokens",
                 "weak", "weights", "wsum")

    def __init__(self, entry: int, alias: Alias, tokens: tuple[str, ...]) -> None:
        self.entry = entry
        self.alias = alias
        self.weak = alias.quality == WEAK
        self.tokens = tokens
        self.skels = tuple(skeleton(t) for t in tokens)
        self.compact = "".join(tokens)
        self.spaceable = min(map(len, tokens)) > 1
        self.weights: tuple[float, ...] = ()
        self.info: tuple[bool, ...] = ()
        self.wsum = 1.0


# --- the index ------------------------------------------------------------------------------

Progress = Callable[[int, int], None]


class MatchIndex:
    """Every name of the given entries, normalised once, with the blocking structures."""

    def __init__(self, entries: Iterable[Indexed]) -> None:
        self._entries: list[Indexed] = list(entries)
        self._names: list[_Name] = []
        postings: dict[str, list[int]] = {}
        exact: dict[tuple[str, ...], list[int]] = {}
        for e, item in enumerate(self._entries):
            for alias in item.entry.all_names():
                tokens = name_tokens(alias.name)
                if not tokens:
                    continue
                nid = len(self._names)
                name = _Name(e, alias, tokens)
                self._names.append(name)
                exact.setdefault(tokens, []).append(nid)
                for key in _keys(tokens, name.skels):
                    p = postings.get(key)
                    if p is None:
                        postings[key] = [nid]
                    elif p[-1] != nid:
                        p.append(nid)
        self._lengths = [len(name.tokens) for name in self._names]
        self._exact = {k: tuple(v) for k, v in exact.items()}
        self._common_cut = max(COMMON_POSTINGS_MIN, int(COMMON_SHARE * len(self._names)))
        # The vocabulary by first letter: a slip in the first letter is rare, and searching
        # one letter's words is twenty times faster than searching them all.
        self._vocab: dict[str, list[str]] = {}
        near: dict[str, list[str]] = {}
        for w in postings:
            if w.startswith("~"):
                continue
            self._vocab.setdefault(w[0], []).append(w)
            if len(w) >= NEAR_MIN_LENGTH:
                near.setdefault(w, []).append(w)
                for d in _deletes(w):
                    near.setdefault(d, []).append(w)
        # Tuples, not lists: tuples of strings and ints drop out of the cyclic garbage
        # collector's sight, and a full collection over a million lists stalls every screening.
        self._near = {k: tuple(v) for k, v in near.items()}
        self._postings: dict[str, tuple[int, ...]] = {k: tuple(v) for k, v in postings.items()}
        for name in self._names:
            name.weights = tuple(self._weight(t) for t in name.tokens)
            name.info = tuple(self._informative(t) for t in name.tokens)
            name.wsum = sum(name.weights) or 1.0
        self._fuzzy_cache: dict[str, tuple[str, ...]] = {}

    @property
    def name_count(self) -> int:
        return len(self._names)

    @property
    def entry_count(self) -> int:
        return len(self._entries)

    # -- word statistics --

    def _common(self, token: str) -> bool:
        return token in GENERIC_WORDS or len(self._postings.get(token, ())) > self._common_cut

    def _weight(self, token: str) -> float:
        if self._common(token):
            return COMMON_WEIGHT
        return INITIAL_WEIGHT if len(token) == 1 else 1.0

    def _informative(self, token: str) -> bool:
        return len(token) > 1 and not self._common(token)

    # -- blocking --

    def _similar_words(self, token: str) -> tuple[str, ...]:
        """Index words one edit from ``token`` (deletion neighbourhoods meet), and for a word
        the index does not hold, the two words it may be run together from and the closest
        words by rapidfuzz's ratio (a worse misspelling)."""
        hit = self._fuzzy_cache.get(token)
        if hit is None:
            near = self._near
            found = set(near.get(token, ()))
            for d in _deletes(token):
                found.update(near.get(d, ()))
            if token not in self._postings:
                # Two index words run together ("acmetrading", "abdulrahman").
                for k in range(2, len(token) - 1):
                    if token[:k] in self._postings and token[k:] in self._postings:
                        found.update((token[:k], token[k:]))
                found.update(w for w, _s, _i in process.extract(
                    token, self._vocab.get(token[0], ()), scorer=fuzz.ratio,
                    score_cutoff=FUZZY_VOCAB_MIN, limit=FUZZY_VOCAB_LIMIT))
            found.discard(token)
            hit = tuple(sorted(found))
            if len(self._fuzzy_cache) > 50_000:
                self._fuzzy_cache.clear()
            self._fuzzy_cache[token] = hit
        return hit

    def _candidates(self, q: _Query) -> list[int]:
        """Names sharing a key with the party, rarest keys first: each shared key adds its
        inverse document frequency, a neighbouring word's a little less."""
        keys: dict[str, float] = {}
        for t, s in zip(q.tokens, q.skels, strict=True):
            if len(t) >= 2:
                keys[t] = 1.0
            if len(s) >= 2:
                keys.setdefault("~" + s, 1.0)
            if len(t) >= NEAR_MIN_LENGTH:
                for w in self._similar_words(t):
                    keys.setdefault(w, NEAR_FACTOR)
        rare: list[tuple[tuple[int, ...], float]] = []
        common: list[tuple[tuple[int, ...], float]] = []
        total = len(self._names) + 1
        for k, factor in keys.items():
            p = self._postings.get(k)
            if p:
                weight = factor * math.log(total / len(p))
                if len(p) > self._common_cut or k in _GENERIC_KEYS:
                    common.append((p, weight))
                else:
                    rare.append((p, weight))
        counts: dict[int, float] = {}
        get = counts.get
        for p, weight in rare or common:
            for nid in p:
                counts[nid] = get(nid, 0.0) + weight
        for nid in self._exact.get(q.tokens, ()):
            counts[nid] = 1e9
        if len(counts) <= MAX_CANDIDATES:
            return list(counts)
        # Ties (names sharing the same keys) go to the names closest in length.
        n = len(q.tokens)
        lengths = self._lengths
        ranked = [(w - 0.01 * abs(lengths[i] - n), -i) for i, w in counts.items()]
        return [-i for _w, i in heapq.nlargest(MAX_CANDIDATES, ranked)]

    # -- screening --

    def screen(self, party: Party, threshold: int) -> list[Hit]:
        """The best hit per entry for this party, highest score first, none below threshold."""
        tokens = name_tokens(party.name)
        if not tokens:
            return []
        q = _Query(tokens, self)
        names = self._names
        candidates = self._candidates(q)
        q.fill({w: k for nid in candidates
                for w, k in zip(names[nid].tokens, names[nid].skels, strict=True)})
        # No name below this can reach the threshold, whatever the qualifiers add.
        floor = float(threshold - (DOB_EXACT if party.birth_date else 0)
                      - (COUNTRY_MATCH if party.country else 0))
        best: dict[int, tuple[float, bool, int, _Alignment]] = {}
        for nid in candidates:
            name = names[nid]
            a = q.align(name, floor)
            capped = min(a.score, WEAK_ALIAS_CAP) if name.weak else a.score
            cur = best.get(name.entry)
            # Ties go to a strong name, then to the earlier one (the primary name first).
            if (cur is None or capped > cur[0]
                    or (capped == cur[0] and (not name.weak, -nid) > (cur[1], -cur[2]))):
                best[name.entry] = (capped, not name.weak, nid, a)
        bonus = (DOB_EXACT if party.birth_date else 0, COUNTRY_MATCH if party.country else 0)
        hits: list[Hit] = []
        for e, (capped, _strong, nid, a) in best.items():
            item = self._entries[e]
            entry = item.entry
            room = ((bonus[0] if entry.birth_dates else 0)
                    + (bonus[1] if entry.countries else 0))
            if round(capped) + room < threshold:
                continue
            name = self._names[nid]
            name_score = round(a.score)
            cap = ""
            effective = name_score
            if name.weak and name_score > WEAK_ALIAS_CAP:
                effective = WEAK_ALIAS_CAP
                cap = _("weak alias: its name score {score} is capped at {cap}, below the "
                        "default threshold, so it is a hit only if other details agree"
                        ).format(score=name_score, cap=WEAK_ALIAS_CAP)
            quals = qualifiers(party, entry)
            score = max(0, min(100, effective + sum(x.delta for x in quals)))
            if score < threshold:
                continue
            expl = Explanation(
                matched_name=name.alias.name, matched_quality=name.alias.quality,
                matched_note=name.alias.note, party_normalised=" ".join(q.tokens),
                name_normalised=" ".join(name.tokens), name_score=name_score,
                method=a.method, features=tuple(_features(party.name, q, name, a)),
                qualifiers=tuple(quals), cap=cap)
            hits.append(Hit(party.key, item.list_id, item.version_id, entry.key,
                            item.entry_hash, entry.name, entry.kind, score, expl))
        hits.sort(key=lambda h: (-h.score, -h.explanation.name_score, h.list_id,
                                 h.version_id, h.entry_key))
        return hits

    def screen_many(self, parties: Sequence[Party], threshold: int,
                    progress: Progress | None = None,
                    is_cancelled: Callable[[], bool] | None = None) -> list[Hit]:
        """Screen parties in turn (a case, or every open case after a list update).

        ``progress(done, total)`` is called about every 0.1 s and at the end;
        ``is_cancelled()`` is asked before each party and raises ``Cancelled`` when true.
        Parties with the same name and details are scored once."""
        memo: dict[tuple[str, ...], list[Hit]] = {}
        out: list[Hit] = []
        total = len(parties)
        last = time.monotonic()
        for n, party in enumerate(parties, 1):
            if is_cancelled is not None and is_cancelled():
                raise Cancelled()
            key = (party.name, party.country, party.kind, party.birth_date)
            hits = memo.get(key)
            if hits is None:
                hits = memo[key] = self.screen(party, threshold)
                out += hits
            else:
                out += [replace(h, party_key=party.key) for h in hits]
            if progress is not None and (n == total or time.monotonic() - last >= 0.1):
                last = time.monotonic()
                progress(n, total)
        return out


def _deletes(word: str) -> set[str]:
    """The word less one letter, each way: two words one edit apart share one of these."""
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _keys(tokens: Sequence[str], skels: Sequence[str]) -> Iterable[str]:
    """Blocking keys: each word of two letters or more and its skeleton (prefixed "~")."""
    for t, s in zip(tokens, skels, strict=True):
        if len(t) >= 2:
            yield t
        if len(s) >= 2:
            yield "~" + s


# --- qualifiers -----------------------------------------------------------------------------

def _parse_date(text: str) -> tuple[int, int, int] | tuple[int, int] | None:
    """(year, month, day) with 0 for what is unknown, or (from_year, to_year) for a range."""
    text = (text or "").strip()
    try:
        if "/" in text:
            a, b = text.split("/", 1)
            y1, y2 = int(a[:4]), int(b[:4])
            return (min(y1, y2), max(y1, y2))
        parts = text.split("-")
        y = int(parts[0])
        m = int(parts[1]) if len(parts) > 1 else 0
        d = int(parts[2]) if len(parts) > 2 else 0
    except ValueError:
        return None
    if not 1000 <= y <= 2999:
        return None
    return (y, m, d)


def _dob_qualifier(party_date: str, listed: Sequence[str]) -> Qualifier | None:
    p = _parse_date(party_date)
    if p is None or len(p) != 3:
        return None
    py, pm, pd = p
    best: Qualifier | None = None
    parsed = [(text, d) for text in listed if (d := _parse_date(text)) is not None]
    if not parsed:
        return None
    for text, d in parsed:
        if len(d) == 2:
            lo, hi = d
            if lo <= py <= hi:
                q = Qualifier(_("date of birth {p} is within {e}").format(p=party_date, e=text),
                              DOB_YEAR)
            elif lo - DOB_TOLERANCE_YEARS <= py <= hi + DOB_TOLERANCE_YEARS:
                q = Qualifier(_("date of birth {p} is close to {e}").format(p=party_date,
                                                                          e=text), 0)
            else:
                continue
        else:
            ey, em, ed = d
            if py != ey:
                if abs(py - ey) > DOB_TOLERANCE_YEARS:
                    continue
                q = Qualifier(_("date of birth {p} is close to {e}").format(p=party_date,
                                                                          e=text), 0)
            elif (pm and em and pm != em) or (pd and ed and pd != ed):
                q = Qualifier(_("date of birth {p} has the year of {e} but another month "
                                "or day").format(p=party_date, e=text), 0)
            elif pd and ed:
                q = Qualifier(_("date of birth {p} matches {e} exactly").format(
                    p=party_date, e=text), DOB_EXACT)
            else:
                q = Qualifier(_("date of birth {p} matches {e}").format(p=party_date, e=text),
                              DOB_YEAR)
        if best is None or q.delta > best.delta:
            best = q
    if best is None:
        shown = ", ".join(text for text, _d in parsed)
        best = Qualifier(_("date of birth {p} does not match {e}").format(p=party_date,
                                                                          e=shown),
                         DOB_MISMATCH)
    return best


def qualifiers(party: Party, entry: ListEntry) -> list[Qualifier]:
    """Points for the details that agree or disagree: date of birth, country, kind."""
    out: list[Qualifier] = []
    if party.birth_date and entry.birth_dates:
        q = _dob_qualifier(party.birth_date, entry.birth_dates)
        if q is not None:
            out.append(q)
    country = (party.country or "").strip().upper()
    if country and entry.countries:
        listed = [c.upper() for c in entry.countries]
        shown = ", ".join(listed)
        if country in listed:
            out.append(Qualifier(_("country {c} is among the entry's countries ({all})"
                                   ).format(c=country, all=shown), COUNTRY_MATCH))
        else:
            out.append(Qualifier(_("country {c} is not among the entry's countries ({all})"
                                   ).format(c=country, all=shown), COUNTRY_MISMATCH))
    if party.kind and entry.kind:
        person = party.kind == "individual"
        if (entry.kind in _OTHER_KINDS) if person else (entry.kind == "individual"):
            out.append(Qualifier(_("the party is {a}, the entry {b}").format(
                a=_kind_word(party.kind), b=_kind_word(entry.kind)), KIND_MISMATCH))
    return out


def _kind_word(kind: str) -> str:
    return {"individual": _("an individual"), "entity": _("an entity"),
            "vessel": _("a vessel"), "aircraft": _("an aircraft")}.get(kind, kind)


# --- explanation features -------------------------------------------------------------------

def scripts(text: str) -> list[str]:
    """The non-Latin scripts a name is written in, by Unicode character names."""
    found: list[str] = []
    for ch in unicodedata.normalize("NFKC", text or ""):
        if ord(ch) < 0x250 or not ch.isalpha():
            continue
        word = unicodedata.name(ch, "").split(" ", 1)[0]
        if word in ("", "LATIN", "FULLWIDTH", "HALFWIDTH", "MODIFIER"):
            continue
        label = _SCRIPTS.get(word, word.title())
        if label not in found:
            found.append(label)
    return found


def _accents(text: str) -> list[str]:
    out: list[str] = []
    for ch in unicodedata.normalize("NFKC", text or ""):
        if (ord(ch) > 0x7F and ch.isalpha() and ch not in out
                and unicodedata.name(ch, "").startswith("LATIN")):
            out.append(ch)
    return out


def legal_forms_dropped(text: str) -> list[str]:
    """The legal-form words or phrases normalisation took out of a name, as shown."""
    words = fold(text).split()
    kept = name_tokens(text)
    out: list[str] = []
    run: list[str] = []
    k = 0
    for w in [*words, None]:
        if w is not None and k < len(kept) and kept[k] == w:
            k += 1
            w = None
        elif w is not None:
            run.append(w)
            continue
        if run:
            if all(x in LEGAL_FORMS for x in run):
                out += [x.upper() for x in run]
            else:
                out.append(" ".join(run).upper())
            run = []
    return out


def _features(party_name: str, q: _Query, name: _Name, a: _Alignment) -> list[str]:
    """What made the two names comparable and where they differ; only what is true."""
    listed = name.alias.name
    out: list[str] = []
    for who, text in ((_("party name"), party_name), (_("list name"), listed)):
        for script in scripts(text):
            out.append(_("{who} transliterated from {script}").format(who=who, script=script))
    for who, text in ((_("party name"), party_name), (_("list name"), listed)):
        if any(unicodedata.name(ch, "").startswith(("FULLWIDTH", "HALFWIDTH")) for ch in text):
            out.append(_("{who}: full-width characters read as ordinary ones").format(who=who))
        acc = _accents(text)
        if acc:
            out.append(_("{who}: accents ignored ({chars})").format(
                who=who, chars=" ".join(acc[:6])))
    for who, text in ((_("party name"), party_name), (_("list name"), listed)):
        forms = legal_forms_dropped(text)
        if forms:
            out.append(_("legal form {forms} ignored in the {who}").format(
                forms=", ".join(f"'{f}'" for f in forms), who=who))
    if a.method == EXACT:
        return out
    if a.spacing:
        out.append(_("words run together differently (“{p}” / “{n}”)").format(
            p=" ".join(q.tokens), n=" ".join(name.tokens)))
        return out
    qt, nt = q.tokens, name.tokens
    if a.reordered:
        out.append(_("word order differs"))
    same = sum(1 for i, j, _s, _h in a.pairs if qt[i] == nt[j])
    longest = max(len(qt), len(nt))
    if same == 0:
        out.append(_("no word identical"))
    elif same < longest:
        out.append(_("{n} of {m} words identical").format(n=same, m=longest))
    for i, j, s, how in a.pairs:
        if qt[i] == nt[j]:
            continue
        if how == 1:
            out.append(_("'{p}' and '{n}' sound alike (same consonants)").format(p=qt[i],
                                                                                 n=nt[j]))
        elif how == 2:
            out.append(_("'{p}' taken as the initial of '{n}'").format(
                p=min(qt[i], nt[j], key=len), n=max(qt[i], nt[j], key=len)))
        else:
            out.append(_("'{p}' and '{n}' spelled differently ({s:.0f}% alike)").format(
                p=qt[i], n=nt[j], s=s))
    paired_q = {i for i, _j, _s, _h in a.pairs}
    paired_n = {j for _i, j, _s, _h in a.pairs}
    extra_n = [t for j, t in enumerate(nt) if j not in paired_n]
    extra_q = [t for i, t in enumerate(qt) if i not in paired_q]
    if extra_n:
        out.append(_("not in the party name: {w}").format(w=", ".join(f"'{t}'"
                                                                      for t in extra_n)))
    if extra_q:
        out.append(_("not in the list name: {w}").format(w=", ".join(f"'{t}'"
                                                                     for t in extra_q)))
    common = sorted({t for t, w in zip(qt, q.weights, strict=True) if w == COMMON_WEIGHT}
                    | {t for t, w in zip(nt, name.weights, strict=True)
                       if w == COMMON_WEIGHT})
    if common and (extra_n or extra_q or a.cap):
        out.append(_("common words count for less: {w}").format(
            w=", ".join(f"'{t}'" for t in common)))
    if a.cap == COMMON_ONLY_CAP:
        out.append(_("only common words in common: name score at most {cap}").format(
            cap=COMMON_ONLY_CAP))
    elif a.cap == ONE_WORD_CAP:
        out.append(_("only one distinctive word of the list name found: name score at most "
                     "{cap}").format(cap=ONE_WORD_CAP))
    return out
