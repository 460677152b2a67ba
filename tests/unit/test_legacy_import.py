"""Legacy decisions from a previous system: the generic CSV and the CAAT UK pair, stored as
cases with unsigned records that ``audit verify`` accounts for; all or nothing."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import audit, decisions, legacy_import
from app.canonical import sha256_hex
from app.errors import (
    Cancelled,
    InputError,
    PermissionDeniedError,
    ReferenceDataError,
    ValidationError,
)
from app.legacy_import import GENERIC_COLUMNS, import_legacy, load_country_names
from app.oversight.facts import load_facts
from app.uow import UnitOfWork
from app.users import Actor
from db.models import Case, ChangeEvent, DecisionRow, FrameworkText

UowFactory = Callable[[], UnitOfWork]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "formats"

#: (reference, decision_date, received_date, destination, licence_type, outcome, criteria,
#:  control_entry, description, quantity, unit, value, currency, exporter, end_user,
#:  end_user_kind, revoked_date), in GENERIC_COLUMNS order.
GENERIC_ROWS = [
    ("SIEL/2019/001", "2019-03-04", "2019-01-10", "KE", "SIEL", "issued", "", "ML1.a",
     "Fusils d'assaut 5,56 mm", "250", "pcs", "412500.00", "EUR", "Société Générale",
     "National Police Service", "police_security", ""),
    ("SIEL/2019/001", "2019-03-04", "2019-01-10", "KE", "SIEL", "issued", "", "ML3.a",
     "Munitions", "100000", "rounds", "38000.50", "EUR", "Société Générale",
     "National Police Service", "police_security", ""),
    ("SIEL/2019/002", "2019-05-20", "", "Indonesia", "SIEL", "Refused", "1; 2a ;7;1",
     "ML13.d", "Gilets", "300", "", "95000", "USD", "", "", "", ""),
    ("OIEL-7", "2018-11-30", "", "Côte d'Ivoire", "OIEL", "revoked", "2", "PL5017", "",
     "12", "sets", "0", "GBP", "Arsenal AB", "", "", "2019-06-01"),
]


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def generic(tmp_path: Path, rows: Sequence[Sequence[str]] = GENERIC_ROWS,
            name: str = "legacy.csv") -> Path:
    return write_csv(tmp_path / name, GENERIC_COLUMNS, rows)


CAAT_VALUES = [
    ("52", "2008-01-03", "ML10", "2", "3540", "Russia", "0"),
    ("52", "2008-01-03", "5A002", "1", "", "Russia", "0"),
    ("53", "2008-01-03", "ML1", "1", "90720", "Korea, South", "0"),
    ("54", "2008-01-04", "End Use", "3", "", "United States of America", "0"),
    ("60", "2008-02-01", "ml16", "1", "12", "India", "0"),
]
CAAT_CRITERIA = [
    ("52", "1", "UK’s international obligations and commitments"),
    ("52", "7", "The risk of diversion or re-export"),
    ("52", "1", "UK’s international obligations and commitments"),
    ("54", "2", "Respect for human rights"),
]


def caat(tmp_path: Path, values: Sequence[Sequence[str]] = CAAT_VALUES,
         criteria: Sequence[Sequence[str]] = CAAT_CRITERIA) -> list[Path]:
    return [write_csv(tmp_path / "values.csv", legacy_import.CAAT_VALUES_COLUMNS, values),
            write_csv(tmp_path / "criteria.csv", legacy_import.CAAT_CRITERIA_COLUMNS,
                      criteria)]


def run(uow: UowFactory, actor: Actor, paths: Sequence[Path], fmt: str = "generic",
        source: str = "old-siel", prefix: str | None = None,
        **kw: object) -> legacy_import.LegacyImportReport:
    with uow() as u:
        return import_legacy(u, actor, paths, fmt, source, prefix, **kw)  # type: ignore[arg-type]


def count(uow: UowFactory, model: type) -> int:
    with uow() as u:
        return u.session.scalar(select(func.count()).select_from(model)) or 0


def cases_by_ref(uow: UowFactory) -> dict[str, Case]:
    with uow() as u:
        rows = u.session.scalars(select(Case)).all()
        for case in rows:
            _ = case.goods, case.parties  # loaded before the session closes
        u.session.expunge_all()  # kept as loaded: the unit of work rolls back on leaving
        return {c.reference: c for c in rows}


def records(uow: UowFactory) -> list[DecisionRow]:
    with uow() as u:
        rows = list(u.session.scalars(select(DecisionRow).order_by(DecisionRow.id)))
        u.session.expunge_all()
        return rows


# --- the generic CSV -------------------------------------------------------------------------

def test_generic_import_creates_cases_goods_parties_and_records(
        uow: UowFactory, admin: Actor, tmp_path: Path) -> None:
    path = generic(tmp_path)
    report = run(uow, admin, [path], prefix="LEG")
    assert (report.licences, report.issued, report.refused, report.revoked) == (3, 1, 1, 1)
    assert (report.goods_lines, report.records) == (4, 4)
    assert report.files[0].sha256 == sha256_hex(path.read_bytes())

    found = cases_by_ref(uow)
    assert sorted(found) == ["LEG-OIEL-7", "LEG-SIEL-2019-001", "LEG-SIEL-2019-002"]
    issued = found["LEG-SIEL-2019-001"]
    assert (issued.status, issued.destination, issued.licence_type) == ("approved", "KE", "SIEL")
    assert issued.received_date == date(2019, 1, 10) and not issued.is_demo
    assert issued.exporter_name == "Société Générale"
    assert [(g.control_entry, g.quantity, g.unit, g.value, g.currency) for g in issued.goods] \
        == [("ML1.a", "250", "pcs", "412500.00", "EUR"),
            ("ML3.a", "100000", "rounds", "38000.50", "EUR")]
    [party] = issued.parties
    assert (party.role, party.name, party.country, party.kind) == (
        "end_user", "National Police Service", "KE", "police_security")
    refused = found["LEG-SIEL-2019-002"]
    assert (refused.status, refused.destination, refused.received_date) == ("refused", "ID", None)
    assert [(p.name, p.kind, p.country) for p in refused.parties] == [("", "", "ID")]
    assert refused.goods[0].unit == "pcs"  # the default
    assert "Destination as written: Indonesia" in refused.notes
    assert found["LEG-OIEL-7"].status == "revoked"

    rows = {(r.case_id, r.sequence): r for r in records(uow)}
    decision = rows[(refused.id, 1)]
    assert (decision.kind, decision.outcome, decision.criteria_cited) == (
        "decision", "refuse", ["1", "2a", "7"])
    assert decision.origin == "import:old-siel" and decision.decided_by_id == admin.id
    assert decision.decided_at == datetime(2019, 5, 20, 12, 0, tzinfo=UTC)
    assert decision.as_of == date(2019, 5, 20)
    assert decision.signature is None and decision.certificate_id is None
    assert decision.framework_id == "legacy:old-siel"
    assert sha256_hex(decision.snapshot.encode()) == decision.snapshot_sha256
    snap = json.loads(decision.snapshot)
    assert snap["format"] == "goldenrule.legacy-record/1"
    assert snap["case"]["legacy_reference"] == "SIEL/2019/002"
    assert [(r["file"], r["line"], r["values"]["destination"]) for r in snap["rows"]] == [
        ("legacy.csv", 4, "Indonesia")]
    approval = rows[(issued.id, 1)]
    assert (approval.outcome, approval.criteria_cited, approval.status_after) == (
        "approve", [], "approved")
    revoked = found["LEG-OIEL-7"]
    first, second = rows[(revoked.id, 1)], rows[(revoked.id, 2)]
    assert (first.outcome, first.status_after, first.criteria_cited) == ("approve", "approved", [])
    assert (second.kind, second.previous_id, second.status_before, second.status_after) == (
        "revocation", first.id, "approved", "revoked")
    assert second.criteria_cited == ["2"] and second.as_of == date(2019, 6, 1)

    with uow() as u:
        events = u.session.scalars(select(ChangeEvent).where(
            ChangeEvent.action.in_(["decision.import", "legacy.import"]))
            .order_by(ChangeEvent.id)).all()
        stored = u.session.scalars(select(FrameworkText).where(
            FrameworkText.framework_id == "legacy:old-siel")).one()
        u.session.expunge_all()
    assert [e.action for e in events] == ["decision.import"] * 4 + ["legacy.import"]
    assert {e.after["record"] for e in events[:4]} == {r.id for r in rows.values()}
    summary = events[-1].after
    assert summary["files"] == [{"name": "legacy.csv", "sha256": report.files[0].sha256,
                                 "rows": 4}]
    assert (summary["licences"], summary["refused"], summary["records"]) == (3, 1, 4)
    assert "2a" in stored.text and stored.sha256 == decision.framework_sha256


def test_every_record_passes_the_integrity_check(uow: UowFactory, admin: Actor,
                                                 supervisor: Actor, tmp_path: Path) -> None:
    run(uow, admin, [generic(tmp_path)])
    run(uow, admin, caat(tmp_path), "caat-uk", "caat-uk", "LEGACY-UK")
    with uow() as u:
        report = audit.verify_integrity(u, supervisor)
    assert report.failures == []
    assert report.ok and report.records_checked == 4 + 4
    # Unsigned imports are a fact to know, not tampering.
    assert {p.kind for p in report.notes} == {audit.Kind.UNSIGNED}
    assert len(report.notes) == 8


def test_a_record_slipped_in_behind_the_import_is_still_caught(
        uow: UowFactory, admin: Actor, supervisor: Actor, tmp_path: Path) -> None:
    run(uow, admin, [generic(tmp_path)])
    with uow() as u:
        row = u.session.scalars(select(DecisionRow).limit(1)).one()
        copy = {c.name: getattr(row, c.name) for c in DecisionRow.__table__.columns
                if c.name != "id"}
        copy["sequence"] = 3
        u.session.execute(DecisionRow.__table__.insert(), [copy])
        u.commit()
    with uow() as u:
        report = audit.verify_integrity(u, supervisor)
    assert [p.kind for p in report.failures] == [audit.Kind.INSERTED, audit.Kind.DELETED]


def test_rows_of_one_licence_must_agree(uow: UowFactory, admin: Actor, tmp_path: Path) -> None:
    rows = [list(r) for r in GENERIC_ROWS]
    rows[1][3] = "TZ"
    with pytest.raises(ValidationError) as err:
        run(uow, admin, [generic(tmp_path, rows)])
    assert "legacy.csv line 3: destination: differs from the licence's first row " \
           "(legacy.csv line 2)" in str(err.value)
    assert count(uow, Case) == 0


@pytest.mark.parametrize(("column", "value", "message"), [
    ("quantity", "abc", "'abc' is not a decimal number"),
    ("quantity", "0", "must be greater than zero"),
    ("value", "-5", "cannot be negative"),
    ("decision_date", "2019-02-30", "'2019-02-30' is not a calendar date"),
    ("decision_date", "2999-01-01", "2999-01-01 is in the future"),
    ("licence_type", "XYZ", "'XYZ' is not a licence type"),
    ("outcome", "maybe", "'maybe' is not an outcome (issued, refused, revoked)"),
    ("currency", "ZZZ", "'ZZZ' is not an accepted currency"),
    ("unit", "bags", "'bags' is not a known unit"),
    ("end_user_kind", "pirates", "'pirates' is not a kind of party"),
    ("control_entry", "", "a value is required"),
    ("criteria", "1;#", "'#' is not a criterion"),
    ("received_date", "2019-06-01", "is after the decision date (2019-05-20)"),
    ("revoked_date", "2019-06-01", "only a revoked licence has a revocation date"),
])
def test_one_bad_row_stores_nothing_and_names_line_and_field(
        uow: UowFactory, admin: Actor, tmp_path: Path, column: str, value: str,
        message: str) -> None:
    rows = [list(r) for r in GENERIC_ROWS]
    rows[2][GENERIC_COLUMNS.index(column)] = value
    with pytest.raises(ValidationError) as err:
        run(uow, admin, [generic(tmp_path, rows)])
    text = str(err.value)
    assert text.startswith("Nothing was stored: ")
    assert f"legacy.csv line 4: {column}: {message}" in text
    assert (count(uow, Case), count(uow, DecisionRow), count(uow, FrameworkText)) == (0, 0, 0)


def test_issued_with_criteria_and_revoked_without_a_date_are_refused(
        uow: UowFactory, admin: Actor, tmp_path: Path) -> None:
    rows = [list(r) for r in GENERIC_ROWS]
    rows[0][6] = rows[1][6] = "1"
    rows[3][16] = ""
    with pytest.raises(ValidationError) as err:
        run(uow, admin, [generic(tmp_path, rows)])
    text = str(err.value)
    assert "legacy.csv line 2: criteria: an issued licence cites no criteria" in text
    assert "legacy.csv line 5: revoked_date: a revoked licence needs the date" in text


def test_unknown_country_is_named_with_its_line(uow: UowFactory, admin: Actor,
                                                tmp_path: Path) -> None:
    rows = [list(r) for r in GENERIC_ROWS]
    rows[2][3] = "Narnia"
    with pytest.raises(ValidationError) as err:
        run(uow, admin, [generic(tmp_path, rows)])
    assert "legacy.csv line 4: destination: 'Narnia' is neither an ISO 3166-1 alpha-2 code " \
           "nor a country name Golden Rule knows" in str(err.value)
    values = [list(r) for r in CAAT_VALUES]
    values[2][5] = values[3][5] = "Atlantis"
    with pytest.raises(ValidationError) as err:
        run(uow, admin, caat(tmp_path, values), "caat-uk", "caat-uk")
    text = str(err.value)
    assert "values.csv line 4: country: 'Atlantis' is neither" in text
    assert "line 5" not in text  # one name, named once, at its first line
    assert count(uow, Case) == 0


def test_unknown_column_and_missing_column(uow: UowFactory, admin: Actor,
                                           tmp_path: Path) -> None:
    path = write_csv(tmp_path / "odd.csv", [*GENERIC_COLUMNS[:-1], "colour"],
                     [(*r[:-1], "red") for r in GENERIC_ROWS])
    with pytest.raises(ValidationError, match=r"odd.csv line 1: colour: unknown column"):
        run(uow, admin, [path])
    path = write_csv(tmp_path / "short.csv", GENERIC_COLUMNS[1:], [r[1:] for r in GENERIC_ROWS])
    with pytest.raises(ValidationError, match=r"short.csv line 1: missing column\(s\): reference"):
        run(uow, admin, [path])


def test_rows_of_a_licence_may_span_files(uow: UowFactory, admin: Actor,
                                          tmp_path: Path) -> None:
    first = generic(tmp_path, GENERIC_ROWS[:1], "a.csv")
    second = generic(tmp_path, GENERIC_ROWS[1:], "b.csv")
    report = run(uow, admin, [first, second])
    assert (report.licences, report.goods_lines) == (3, 4)
    assert [f.name for f in report.files] == ["a.csv", "b.csv"]


# --- the CAAT pair ---------------------------------------------------------------------------

def test_caat_pair(uow: UowFactory, admin: Actor, tmp_path: Path) -> None:
    report = run(uow, admin, caat(tmp_path), "caat-uk", "caat-uk", "LEGACY-UK")
    assert (report.licences, report.issued, report.refused) == (4, 2, 2)
    assert (report.first_reference, report.last_reference) == ("LEGACY-UK-0000052",
                                                                "LEGACY-UK-0000060")
    found = cases_by_ref(uow)
    group = found["LEGACY-UK-0000052"]
    assert (group.status, group.destination, group.licence_type) == ("refused", "RU", "SIEL")
    assert [(g.control_entry, g.quantity, g.value, g.currency, g.att_category)
            for g in group.goods] == [("ML10", "2", "3540", "GBP", ""),
                                      ("5A002", "1", "0", "GBP", "")]
    assert found["LEGACY-UK-0000053"].destination == "KR"
    assert found["LEGACY-UK-0000053"].status == "approved"
    assert found["LEGACY-UK-0000054"].destination == "US"
    assert found["LEGACY-UK-0000060"].goods[0].control_entry == "ml16"  # as written
    by_case = {r.case_id: r for r in records(uow)}
    refusal = by_case[group.id]
    # The criteria file lists criterion 1 twice for group 52: the record cites it once,
    # the snapshot keeps every source row.
    assert refusal.criteria_cited == ["1", "7"]
    snap = json.loads(refusal.snapshot)
    assert [(r["file"], r["line"]) for r in snap["rows"]] == [
        ("values.csv", 2), ("values.csv", 3), ("criteria.csv", 2), ("criteria.csv", 3),
        ("criteria.csv", 4)]
    assert snap["rows"][1]["values"]["value"] == ""
    assert by_case[found["LEGACY-UK-0000053"].id].criteria_cited == []
    with uow() as u:
        text = u.session.scalars(select(FrameworkText.text)).one()
    assert "Respect for human rights" in text and "legacy:caat-uk" in text


def test_caat_group_with_two_dates_is_refused(uow: UowFactory, admin: Actor,
                                              tmp_path: Path) -> None:
    values = [list(r) for r in CAAT_VALUES]
    values[1][1] = "2008-01-05"
    with pytest.raises(ValidationError, match=r"values\.csv line 3: licence group 52 has "
                                              r"another date or country on line 2"):
        run(uow, admin, caat(tmp_path, values), "caat-uk", "caat-uk")


def test_caat_criteria_for_an_unknown_group_are_refused(uow: UowFactory, admin: Actor,
                                                        tmp_path: Path) -> None:
    criteria = [*CAAT_CRITERIA, ("999", "3", "Internal situation")]
    with pytest.raises(ValidationError,
                       match=r"criteria\.csv line 6: licence_group: '999' is not a "):
        run(uow, admin, caat(tmp_path, criteria=criteria), "caat-uk", "caat-uk")
    assert count(uow, Case) == 0


def test_caat_takes_two_files(uow: UowFactory, admin: Actor, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="takes two files"):
        run(uow, admin, caat(tmp_path)[:1], "caat-uk", "caat-uk")


# --- sources, references, permissions --------------------------------------------------------

def test_the_same_source_is_imported_once(uow: UowFactory, admin: Actor, tmp_path: Path) -> None:
    run(uow, admin, [generic(tmp_path)])
    with pytest.raises(InputError) as err:
        run(uow, admin, [generic(tmp_path)], prefix="OTHER")
    assert "'old-siel' was already imported on " in str(err.value)
    assert " by Ada Admin." in str(err.value)
    # Another source is another set of records; its references must not collide.
    with pytest.raises(InputError, match="case LEGACY-OLD-SIEL-SIEL-2019-001 already exists"):
        run(uow, admin, [generic(tmp_path)], source="old-siel-2", prefix="LEGACY-OLD-SIEL")
    report = run(uow, admin, [generic(tmp_path)], source="old-siel-2")
    assert report.first_reference == "LEGACY-OLD-SIEL-2-SIEL-2019-001"
    assert count(uow, Case) == 6


@pytest.mark.parametrize(("source", "prefix", "message"), [
    ("old siel", None, "'old siel' is not a source name"),
    ("ok", "BAD_PREFIX", "'BAD_PREFIX' is not a reference prefix"),
    ("ok", "A-VERY-LONG-PREFIX-INDEED", "is not a reference prefix"),
])
def test_bad_source_or_prefix(uow: UowFactory, admin: Actor, tmp_path: Path, source: str,
                              prefix: str | None, message: str) -> None:
    with pytest.raises(InputError, match=message):
        run(uow, admin, [generic(tmp_path)], source=source, prefix=prefix)


def test_references_that_would_clash(uow: UowFactory, admin: Actor, tmp_path: Path) -> None:
    rows = [list(r) for r in GENERIC_ROWS]
    rows[2][0] = "SIEL 2019 001"  # becomes SIEL-2019-001 too
    with pytest.raises(ValidationError, match="licence SIEL 2019 001 becomes P-SIEL-2019-001, "
                                              "as does licence SIEL/2019/001"):
        run(uow, admin, [generic(tmp_path, rows)], prefix="P")
    rows[2][0] = "2026-00001"
    with pytest.raises(ValidationError, match="has the form of the references Golden Rule"):
        run(uow, admin, [generic(tmp_path, rows)], prefix="GR")


def test_only_an_administrator_imports_history(uow: UowFactory, officer: Actor,
                                               supervisor: Actor, tmp_path: Path) -> None:
    for actor in (officer, supervisor):
        with pytest.raises(PermissionDeniedError, match="change the authority's settings"):
            run(uow, actor, [generic(tmp_path)])
    assert count(uow, Case) == 0


def test_progress_and_cancel(uow: UowFactory, admin: Actor, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(legacy_import, "CHUNK", 1)
    calls: list[tuple[int, int]] = []
    events = count(uow, ChangeEvent)
    with pytest.raises(Cancelled):
        run(uow, admin, [generic(tmp_path)], progress=lambda d, t: calls.append((d, t)),
            cancelled=lambda: len(calls) == 2)
    assert calls == [(1, 3), (2, 3)]
    assert (count(uow, Case), count(uow, DecisionRow), count(uow, FrameworkText),
            count(uow, ChangeEvent)) == (0, 0, 0, events)
    calls.clear()
    run(uow, admin, [generic(tmp_path)], progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


# --- what the rest of the application makes of them ------------------------------------------

def test_legacy_records_count_in_oversight_and_search(uow: UowFactory, admin: Actor,
                                                      supervisor: Actor,
                                                      tmp_path: Path) -> None:
    run(uow, admin, [generic(tmp_path)])
    with uow() as u:
        facts = load_facts(u.session, date(2018, 1, 1), date(2019, 12, 31))
        found = decisions.search_decisions(u, supervisor, decisions.DecisionQuery(
            criterion="2a"))
        ships = decisions.search_decisions(u, supervisor, decisions.DecisionQuery(
            destination="KE"))
    assert sorted((f.reference, f.outcome, f.origin) for f in facts.decisions) == [
        ("LEGACY-OLD-SIEL-OIEL-7", "issued", "import:old-siel"),
        ("LEGACY-OLD-SIEL-SIEL-2019-001", "issued", "import:old-siel"),
        ("LEGACY-OLD-SIEL-SIEL-2019-002", "refused", "import:old-siel")]
    assert [f.revoked_on for f in facts.revocations] == [date(2019, 6, 1)]
    assert [r.ref for r in found] == ["LEGACY-OLD-SIEL-SIEL-2019-002/1"]
    assert [r.end_user for r in ships] == ["National Police Service"]


def test_the_documented_example_imports(uow: UowFactory, admin: Actor, tmp_path: Path) -> None:
    doc = (DOCS / "legacy-decisions.md").read_text(encoding="utf-8")
    example = doc.split("```csv", 1)[1].split("```", 1)[0].lstrip("\n")
    path = tmp_path / "example.csv"
    path.write_text(example, encoding="utf-8")
    report = run(uow, admin, [path], source="example")
    assert (report.licences, report.issued, report.refused, report.revoked) == (3, 1, 1, 1)


# --- the alias table -------------------------------------------------------------------------

def test_country_names_codes_and_aliases() -> None:
    names = load_country_names()
    assert names.code("ke") == "KE"
    assert names.code("  côte D'IVOIRE ") == "CI"
    assert names.code("Korea,  South") == "KR"
    assert names.code("Channel Islands") == "GB"
    assert names.code("Narnia") is None


def test_a_bad_alias_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "aliases.yaml"
    path.write_text('version: "1"\nas_of: "2026-01-01"\nsource: "test"\n'
                    'aliases:\n  - {name: "Atlantis", code: "XX"}\n', encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"aliases\[1\] needs a name and the alpha-2"):
        load_country_names(aliases=path)
    path.write_text('version: "1"\nas_of: "2026-01-01"\nsource: "test"\n'
                    'aliases:\n  - {name: "Kenya", code: "TZ"}\n', encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="maps 'Kenya' to TZ, but it already means KE"):
        load_country_names(aliases=path)
