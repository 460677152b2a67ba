"""Names reduced to comparable Latin tokens before any scoring.

rapidfuzz compares code points; it does not know that "Müller", "MULLER" and "Мюллер" are one
name. So every name, from a list or from an application, goes through the same steps:
Unicode NFKC (compatibility forms such as full-width letters), transliteration to Latin with
anyascii (Cyrillic, Arabic, Greek, Hangul...), case folding, punctuation to spaces, and
legal-form words (LLC, OOO, GmbH...) dropped, since "Acme LLC" and "Acme Ltd" are the same
firm for screening. ``skeleton`` gives a consonant key so that "Mohammed", "Muhammad" and the
unvocalised Arabic "mhmd" meet in the same block.

``NORMALISER_VERSION`` is recorded with every screening: change the rules, bump it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

NORMALISER_VERSION = "1"

#: Words that say what legal form a firm has, in the languages lists and applications use.
#: Only dropped when some other word remains ("Company" alone stays a name).
LEGAL_FORMS = frozenset((
    "llc", "ltd", "limited", "inc", "incorporated", "corp", "corporation", "co", "company",
    "plc", "llp", "lp", "gmbh", "mbh", "ag", "kg", "ohg", "sa", "sas", "sarl", "sal", "sae",
    "sapi", "spa", "srl", "snc", "bv", "nv", "oy", "oyj", "ab", "asa", "as", "aps", "kk",
    "pte", "pty", "pvt", "jsc", "ojsc", "cjsc", "pjsc", "ao", "oao", "zao", "pao", "ooo",
    "tov", "pp", "fze", "fzco", "fzc", "fzllc", "est", "establishment", "wll", "bsc", "qsc",
    "qpsc", "saog", "ltda", "cia", "sdn", "bhd", "tbk", "jv",
))

#: Multi-word legal forms, folded before the single words are looked at.
_LEGAL_PHRASES = (
    ("limited", "liability", "company"), ("joint", "stock", "company"),
    ("public", "joint", "stock", "company"), ("closed", "joint", "stock", "company"),
    ("open", "joint", "stock", "company"), ("private", "limited"), ("public", "limited"),
    ("societe", "anonyme"), ("s", "a"), ("s", "a", "r", "l"), ("l", "l", "c"),
    ("obshchestvo", "s", "ogranichennoy", "otvetstvennostyu"),
    ("aktsionernoe", "obshchestvo"), ("akcionernoe", "obshchestvo"),
)

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_VOWELS = re.compile(r"[aeiouy]+")
_REPEATS = re.compile(r"(.)\1+")


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Latin lower-case letters and digits separated by single spaces."""
    text = unicodedata.normalize("NFKC", text or "")
    text = anyascii(text).casefold()
    return _NON_ALNUM.sub(" ", text).strip()


def _drop_phrases(words: list[str]) -> list[str]:
    for phrase in sorted(_LEGAL_PHRASES, key=len, reverse=True):
        n = len(phrase)
        i = 0
        while i + n <= len(words):
            if tuple(words[i:i + n]) == phrase and len(words) > n:
                del words[i:i + n]
            else:
                i += 1
    return words


@lru_cache(maxsize=200_000)
def name_tokens(text: str) -> tuple[str, ...]:
    """The comparable words of a name: folded, legal forms gone (unless nothing else is left)."""
    words = fold(text).split()
    if not words:
        return ()
    words = _drop_phrases(list(words))
    kept = [w for w in words if w not in LEGAL_FORMS]
    return tuple(kept) if kept else tuple(words)


def normalise(text: str) -> str:
    return " ".join(name_tokens(text))


def legal_forms_in(text: str) -> list[str]:
    """The legal-form words a name carried, for the explanation of a match."""
    words = fold(text).split()
    return [w for w in words if w in LEGAL_FORMS]


@lru_cache(maxsize=200_000)
def skeleton(token: str) -> str:
    """A consonant key: vowels out, c/q to k, w to v, repeats collapsed ("mohammed" -> "mhmd")."""
    if token.isdigit():
        return token
    t = token.replace("ph", "f").replace("c", "k").replace("q", "k").replace("w", "v")
    head, rest = t[:1], t[1:]
    key = (head if head not in "aeiouy" else "") + _VOWELS.sub("", rest)
    return _REPEATS.sub(r"\1", key)


def is_transliterated(text: str) -> bool:
    """True when the name holds letters outside Latin, so the explanation can say so.

    Full-width Latin (after NFKC) and Latin Extended Additional ("Nguyễn") are Latin."""
    return any(ord(ch) > 0x24F and unicodedata.category(ch).startswith("L")
               and not unicodedata.name(ch, "").startswith("LATIN")
               for ch in unicodedata.normalize("NFKC", text or ""))
