"""Name normalisation for screening: every script, width, accent and legal form reduced to the
same Latin tokens, so that the matcher compares like with like."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from app.screening.normalise import (
    NORMALISER_VERSION,
    fold,
    is_transliterated,
    legal_forms_in,
    name_tokens,
    normalise,
    skeleton,
)


def test_cyrillic_firm_meets_its_latin_name() -> None:
    assert normalise("ООО Ромашка") == normalise("Romashka LLC") == "romashka"
    assert legal_forms_in("ООО Ромашка") == ["ooo"]
    assert is_transliterated("ООО Ромашка") and not is_transliterated("Romashka LLC")


def test_cyrillic_person_is_transliterated_word_by_word() -> None:
    assert name_tokens("Иван Петрович Сидоров") == ("ivan", "petrovich", "sidorov")


def test_arabic_script_meets_latin_spellings_through_the_skeleton() -> None:
    [arabic] = name_tokens("محمد")
    assert arabic != "mohammed"  # unvocalised: the words differ...
    assert skeleton(arabic) == skeleton("mohammed") == skeleton("muhammad") == "mhmd"
    assert is_transliterated("محمد")


def test_greek_is_transliterated() -> None:
    tokens = name_tokens("Μιχάλης Παπαδόπουλος")
    assert tokens[0] == "michalis"
    assert skeleton(tokens[1]) == skeleton("papadopoulos")
    assert is_transliterated("Μιχάλης")


def test_diacritics_and_case_do_not_matter() -> None:
    assert normalise("Müller") == normalise("MULLER") == normalise("muller") == "muller"
    assert normalise("Société Générale") == "societe generale"
    assert not is_transliterated("Müller") and not is_transliterated("Nguyễn Văn")


def test_full_width_letters_are_ordinary_letters() -> None:
    assert fold("ＡＣＭＥ　Ｔｒａｄｉｎｇ") == "acme trading"
    assert normalise("ＡＣＭＥ Ｌｔｄ") == "acme"
    assert not is_transliterated("ＡＣＭＥ")


def test_punctuation_separates_words() -> None:
    assert name_tokens("AL-QAIDA") == ("al", "qaida")
    assert name_tokens("KIM, Jong Un") == ("kim", "jong", "un")


def test_legal_forms_are_stripped() -> None:
    assert normalise("Acme Trading Co., Ltd.") == normalise("ACME TRADING LIMITED")
    assert normalise("Acme Trading GmbH") == "acme trading"
    assert normalise("Limited Liability Company Romashka") == "romashka"
    assert normalise("Obshchestvo s Ogranichennoy Otvetstvennostyu Romashka") == "romashka"
    assert legal_forms_in("Acme Trading Co., Ltd.") == ["co", "ltd"]


def test_a_legal_form_alone_is_kept_as_the_name() -> None:
    assert name_tokens("Company") == ("company",)
    assert name_tokens("Co., Ltd.") == ("co", "ltd")
    assert name_tokens("") == () and name_tokens("  ,. ") == ()


def test_skeleton_drops_vowels_and_doubles() -> None:
    assert skeleton("mohammed") == "mhmd"
    assert skeleton("aboud") == "bd"  # a leading vowel goes too
    assert skeleton("kadyrov") == skeleton("qadirov")
    assert skeleton("philip") == skeleton("filip")
    assert skeleton("1970") == "1970"


def test_the_version_is_recorded() -> None:
    assert NORMALISER_VERSION


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    once = fold(text)
    assert fold(once) == once


@given(st.text())
def test_fold_yields_only_latin_letters_digits_and_single_spaces(text: str) -> None:
    out = fold(text)
    assert re.fullmatch(r"(?:[a-z0-9]+(?: [a-z0-9]+)*)?", out)


@given(st.text())
def test_normalisation_never_raises(text: str) -> None:
    tokens = name_tokens(text)
    assert all(re.fullmatch(r"[a-z0-9]+", t) for t in tokens)
    assert normalise(text) == " ".join(tokens)
    assert all(re.fullmatch(r"[a-z0-9]*", skeleton(t)) for t in tokens)
    assert set(legal_forms_in(text)) <= set(fold(text).split())
    assert is_transliterated(text) in (True, False)
