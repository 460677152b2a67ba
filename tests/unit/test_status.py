"""Case status transitions: the table is the rule, for the UI and the CLI alike."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import InputError, StatusTransitionError
from app.status import (
    CLOSED,
    DECISION_ONLY,
    EDITABLE,
    STATUS_LABELS,
    TRANSITIONS,
    CaseStatus,
    allowed_targets,
    check_transition,
    parse_status,
)

ALL_PAIRS = list(itertools.product(CaseStatus, CaseStatus))
ALLOWED = [(a, b) for a, b in ALL_PAIRS if b in TRANSITIONS[a]]
FORBIDDEN = [(a, b) for a, b in ALL_PAIRS if b not in TRANSITIONS[a]]
PLAIN_ALLOWED = [(a, b) for a, b in ALLOWED if b not in DECISION_ONLY]
DECISION_ALLOWED = [(a, b) for a, b in ALLOWED if b in DECISION_ONLY]


def _id(pair: tuple[CaseStatus, CaseStatus]) -> str:
    return f"{pair[0].value}->{pair[1].value}"


def test_table_covers_every_status_and_has_labels() -> None:
    assert set(TRANSITIONS) == set(CaseStatus)
    assert set(STATUS_LABELS) == set(CaseStatus)
    for source, targets in TRANSITIONS.items():
        assert source not in targets, f"{source} lists itself as a target"
        assert targets <= set(CaseStatus)


def test_the_table_has_both_kinds_of_move() -> None:
    # Guards the parametrised tests below against an empty list that would pass vacuously.
    assert len(PLAIN_ALLOWED) >= 8
    assert len(DECISION_ALLOWED) >= 8
    assert len(FORBIDDEN) > len(ALLOWED)


@pytest.mark.parametrize("pair", PLAIN_ALLOWED, ids=_id)
def test_plain_allowed_transition_passes(pair: tuple[CaseStatus, CaseStatus]) -> None:
    source, target = pair
    check_transition(source, target)
    check_transition(source, target, by_decision=True)
    assert target in allowed_targets(source)


@pytest.mark.parametrize("pair", DECISION_ALLOWED, ids=_id)
def test_decision_only_needs_a_decision(pair: tuple[CaseStatus, CaseStatus]) -> None:
    source, target = pair
    with pytest.raises(StatusTransitionError, match="signed decision"):
        check_transition(source, target)
    check_transition(source, target, by_decision=True)
    assert target not in allowed_targets(source)
    assert target in allowed_targets(source, by_decision=True)


@pytest.mark.parametrize("pair", FORBIDDEN, ids=_id)
def test_forbidden_transition_raises_even_with_decision(
        pair: tuple[CaseStatus, CaseStatus]) -> None:
    source, target = pair
    for by_decision in (False, True):
        with pytest.raises(StatusTransitionError) as info:
            check_transition(source, target, by_decision=by_decision)
        message = str(info.value)
        if source == target:
            assert "already" in message
        else:
            assert source.label.lower() in message and target.label.lower() in message
    assert target not in allowed_targets(source, by_decision=True)


def test_status_errors_are_input_errors() -> None:
    # The CLI maps InputError to exit status 2 (bad input); a refused move is bad input.
    assert issubclass(StatusTransitionError, InputError)


@pytest.mark.parametrize("status", sorted(CLOSED - {CaseStatus.APPROVED,
                                                    CaseStatus.APPROVED_WITH_CONDITIONS}))
def test_final_closed_statuses_have_no_way_back(status: CaseStatus) -> None:
    assert TRANSITIONS[status] == frozenset()
    assert allowed_targets(status, by_decision=True) == []
    for target in CaseStatus:
        with pytest.raises(StatusTransitionError):
            check_transition(status, target, by_decision=True)


@pytest.mark.parametrize("status", sorted(CLOSED))
def test_closed_statuses_never_reopen_the_application(status: CaseStatus) -> None:
    """From a closed case no path of moves leads back to an open, editable status."""
    reachable = set()
    frontier = [status]
    while frontier:
        current = frontier.pop()
        for target in TRANSITIONS[current]:
            if target not in reachable:
                reachable.add(target)
                frontier.append(target)
    assert not reachable & EDITABLE, f"{status} can reach {reachable & EDITABLE}"
    assert not reachable & {CaseStatus.IN_ASSESSMENT, CaseStatus.REFERRED,
                            CaseStatus.AWAITING_COUNTERSIGNATURE}


def test_closed_statuses_are_not_editable() -> None:
    assert not (CLOSED & EDITABLE)
    assert CaseStatus.DRAFT in EDITABLE and CaseStatus.DRAFT not in CLOSED


def test_allowed_targets_are_in_declaration_order() -> None:
    order = list(CaseStatus)
    for source in CaseStatus:
        for by_decision in (False, True):
            targets = allowed_targets(source, by_decision=by_decision)
            assert targets == sorted(targets, key=order.index)
            assert len(set(targets)) == len(targets)


def test_parse_status_accepts_every_value() -> None:
    for status in CaseStatus:
        assert parse_status(status.value) is status


@pytest.mark.parametrize("text", ["", "Draft", "DRAFT", "approved ", "closed", "in-assessment",
                                  "brouillon", "ön_hold"])
def test_parse_status_rejects_unknown_text(text: str) -> None:
    with pytest.raises(StatusTransitionError) as info:
        parse_status(text)
    message = str(info.value)
    assert f"'{text}'" in message
    # The message lists what would have been accepted.
    for status in CaseStatus:
        assert status.value in message


@given(st.text(max_size=30))
def test_parse_status_never_returns_for_unknown_text(text: str) -> None:
    known = {s.value for s in CaseStatus}
    if text in known:
        assert parse_status(text).value == text
    else:
        with pytest.raises(StatusTransitionError):
            parse_status(text)


statuses = st.sampled_from(list(CaseStatus))


@given(statuses, statuses, st.booleans())
def test_check_transition_matches_the_table(a: CaseStatus, b: CaseStatus,
                                            by_decision: bool) -> None:
    should_fail = (b not in TRANSITIONS[a]) or (b in DECISION_ONLY and not by_decision) or a == b
    if should_fail:
        with pytest.raises(StatusTransitionError):
            check_transition(a, b, by_decision=by_decision)
    else:
        check_transition(a, b, by_decision=by_decision)
    assert (b in allowed_targets(a, by_decision=by_decision)) == (not should_fail)


@given(statuses, statuses)
def test_check_transition_without_decision(a: CaseStatus, b: CaseStatus) -> None:
    should_fail = b not in TRANSITIONS[a] or b in DECISION_ONLY or a == b
    try:
        check_transition(a, b)
    except StatusTransitionError:
        assert should_fail
    else:
        assert not should_fail
