"""Shipments under a licence: recorded by hand or from CSV, only against a licence that
took effect, for an entry on it, while it was in force; corrections reverse, never edit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import cases, shipments
from app.casedata import CaseData
from app.decisions import RecordKind
from app.errors import Cancelled, InputError, NotFoundError, PermissionDeniedError
from app.shipments import CSV_COLUMNS, import_shipments_csv, list_shipments, record_shipment
from app.status import CaseStatus
from app.uow import UnitOfWork
from app.users import Actor
from db.models import ChangeEvent, Shipment
from tests.unit.test_legacy_import import GENERIC_ROWS, generic, run, write_csv
from tests.unit.test_reassessment import licence, reassess

UowFactory = Callable[[], UnitOfWork]
ISSUED = "LEGACY-OLD-SIEL-SIEL-2019-001"    # ML1.a 250 pcs, ML3.a 100000 rounds, 2019-03-04
REFUSED = "LEGACY-OLD-SIEL-SIEL-2019-002"
REVOKED = "LEGACY-OLD-SIEL-OIEL-7"          # PL5017, 2018-11-30 to 2019-06-01


@pytest.fixture
def legacy(uow: UowFactory, admin: Actor, tmp_path: Path) -> None:
    run(uow, admin, [generic(tmp_path)])


def ship(uow: UowFactory, actor: Actor, ref: str = ISSUED, day: date = date(2019, 4, 1),
         entry: str = "ML1.a", quantity: str = "100", value: str = "165000.00",
         currency: str = "EUR", note: str = "", description: str = ""
         ) -> shipments.ShipmentRecord:
    with uow() as u:
        return record_shipment(u, actor, ref, day, entry, quantity, value, currency,
                               description, note)


def stored(uow: UowFactory) -> int:
    with uow() as u:
        return u.session.scalar(select(func.count()).select_from(Shipment)) or 0


def test_record_and_list(uow: UowFactory, officer: Actor, legacy: None) -> None:
    first = ship(uow, officer, description="Premier lot", note="Facture 2019-17")
    assert (first.case_reference, first.shipped_on, first.control_entry) == (
        ISSUED, date(2019, 4, 1), "ML1.a")
    assert (first.quantity, first.value, first.currency) == (Decimal(100), Decimal("165000.00"),
                                                             "EUR")
    assert (first.source, first.recorded_by, first.description) == ("manual", "olga",
                                                                     "Premier lot")
    # The entry is matched ignoring case and stored as the licence writes it.
    second = ship(uow, officer, day=date(2019, 3, 10), entry="ml3.A", quantity="5000",
                  value="1900.00")
    assert second.control_entry == "ML3.a"
    with uow() as u:
        listed = list_shipments(u, ISSUED)
        totals = shipments.shipped_totals(u, ISSUED)
        event = u.session.scalars(select(ChangeEvent).where(
            ChangeEvent.action == "shipment.record").order_by(ChangeEvent.id)).first()
        assert event is not None
        after, entity = event.after, (event.entity, event.entity_id)
    assert [r.id for r in listed] == [second.id, first.id]  # by date
    assert entity == ("case", ISSUED)
    assert after["shipment"] == first.id and after["quantity"] == "100"
    by_entry = {t.control_entry: t for t in totals}
    assert by_entry["ML1.a"].shipped_quantity == 100
    assert by_entry["ML1.a"].licensed_quantity == 250 and not by_entry["ML1.a"].over
    assert by_entry["ML3.a"].shipped_value == {"EUR": Decimal("1900.00")}


def test_a_correction_reverses_with_a_note(uow: UowFactory, officer: Actor,
                                           legacy: None) -> None:
    ship(uow, officer)
    with pytest.raises(InputError, match=r"note: a correction .* must say in its note"):
        ship(uow, officer, quantity="-100", value="-165000.00")
    fixed = ship(uow, officer, quantity="-100", value="-165000.00",
                 note="Reverses the shipment of 1 April: recorded twice")
    assert fixed.correction
    with pytest.raises(InputError, match=r"takes the quantity shipped under ML1\.a below zero"):
        ship(uow, officer, quantity="-1", value="0", note="Too far")
    with uow() as u:
        [total] = [t for t in shipments.shipped_totals(u, ISSUED) if t.control_entry == "ML1.a"]
    assert total.shipped_quantity == 0 and total.shipped_value == {"EUR": Decimal("0.00")}


@pytest.mark.parametrize(("kw", "message"), [
    ({"quantity": "0"}, "quantity: cannot be zero"),
    ({"quantity": "ten"}, "quantity: 'ten' is not a decimal number"),
    ({"quantity": "1.1234567"}, "quantity: at most 15 digits before the decimal point and 6"),
    ({"value": "-5"}, "value: must have the sign of the quantity"),
    ({"currency": "XYZ"}, "currency: 'XYZ' is not an accepted currency"),
    ({"entry": "ML4.a"}, "control_entry: ML4.a is not on licence "
                         "LEGACY-OLD-SIEL-SIEL-2019-001 (its entries: ML1.a, ML3.a)"),
    ({"day": date(2019, 3, 3)}, "shipped_on: 2019-03-03 is outside the time licence "
                                "LEGACY-OLD-SIEL-SIEL-2019-001 was in force (2019-03-04 onwards)"),
    ({"day": date.today() + timedelta(days=1)}, "is in the future"),
    ({"ref": REFUSED}, "reference: LEGACY-OLD-SIEL-SIEL-2019-002 is refused: shipments are "
                       "recorded only against a licence that was issued"),
    ({"ref": "GR-1999-00001"}, "reference: there is no case GR-1999-00001"),
])
def test_refused_shipments(uow: UowFactory, officer: Actor, legacy: None,
                           kw: dict[str, object], message: str) -> None:
    with pytest.raises(InputError) as err:
        ship(uow, officer, **kw)  # type: ignore[arg-type]
    assert str(err.value).startswith("The shipment was not recorded")
    assert message in str(err.value)
    assert stored(uow) == 0


def test_a_revoked_licence_takes_shipments_made_before_its_revocation(
        uow: UowFactory, officer: Actor, legacy: None) -> None:
    ok = ship(uow, officer, REVOKED, date(2019, 6, 1), "PL5017", "2", "0", "GBP")
    assert ok.value == 0  # a free replacement still left the country
    with pytest.raises(InputError, match=r"2019-06-02 is outside the time licence "
                                         r"LEGACY-OLD-SIEL-OIEL-7 was in force \(2018-11-30 to "
                                         r"2019-06-01\)"):
        ship(uow, officer, REVOKED, date(2019, 6, 2), "PL5017", "2", "0", "GBP")


def test_an_application_not_decided_takes_no_shipments(uow: UowFactory, officer: Actor,
                                                        sample_case_data: CaseData) -> None:
    with uow() as u:
        record = cases.create_case(u, officer, sample_case_data, status=CaseStatus.RECEIVED)
    with pytest.raises(InputError, match="is received: shipments are recorded only"):
        ship(uow, officer, record.reference, date.today())


def test_a_signed_licence_suspended_later(uow: UowFactory, officer: Actor,
                                          sample_case_data: CaseData) -> None:
    case_id = licence(uow, officer, sample_case_data)
    reassess(uow, officer, case_id, RecordKind.SUSPENSION)
    with uow() as u:
        ref = cases.get_case(u, case_id).reference
    record = ship(uow, officer, ref, date.today(), "ML13.d", "10", "3000", "USD")
    assert record.case_reference == ref
    with pytest.raises(InputError, match="is outside the time licence"):
        ship(uow, officer, ref, date.today() - timedelta(days=1), "ML13.d", "10", "3000", "USD")


def test_who_may_record(uow: UowFactory, admin: Actor, supervisor: Actor,
                        legacy: None) -> None:
    with pytest.raises(PermissionDeniedError, match="register and edit applications"):
        ship(uow, admin)
    assert ship(uow, supervisor).recorded_by == "sven"


def test_listing_an_unknown_case(uow: UowFactory) -> None:
    with uow() as u, pytest.raises(NotFoundError, match="No case with reference NOPE"):
        list_shipments(u, "NOPE")


# --- CSV -----------------------------------------------------------------------------------

ROWS = [
    (ISSUED, "2019-04-01", "ML1.a", "100", "165000.00", "EUR", "Premier lot", ""),
    (ISSUED, "2019-05-01", "ML1.a", "150", "247500.00", "EUR", "", ""),
    (ISSUED, "2019-05-02", "ML1.a", "-150", "-247500.00", "EUR", "",
     "Reverses line 3: the lot did not leave"),
    (REVOKED, "2019-01-15", "PL5017", "4", "0", "GBP", "", ""),
]


def write(tmp_path: Path, rows: Sequence[Sequence[str]] = ROWS,
          header: Sequence[str] = CSV_COLUMNS) -> Path:
    return write_csv(tmp_path / "shipments.csv", header, rows)


def test_csv_import(uow: UowFactory, officer: Actor, legacy: None, tmp_path: Path) -> None:
    path = write(tmp_path)
    calls: list[tuple[int, int]] = []
    with uow() as u:
        report = import_shipments_csv(u, officer, path, progress=lambda d, t: calls.append(
            (d, t)))
    assert len(report.shipments) == 4 and report.cases == [REVOKED, ISSUED]
    assert {r.source for r in report.shipments} == {"import:shipments.csv"}
    assert calls[-1] == (8, 8)
    with uow() as u:
        listed = list_shipments(u, ISSUED)
        actions = list(u.session.scalars(select(ChangeEvent.action).where(
            ChangeEvent.action.like("shipment.%")).order_by(ChangeEvent.id)))
        summary = u.session.scalars(select(ChangeEvent.after).where(
            ChangeEvent.action == "shipment.import")).one()
    assert [(r.quantity, r.note) for r in listed] == [
        (100, ""), (150, ""), (-150, "Reverses line 3: the lot did not leave")]
    assert actions == ["shipment.record"] * 4 + ["shipment.import"]
    assert summary["shipments"] == 4 and summary["file"] == "shipments.csv"


def test_csv_import_is_all_or_nothing_and_names_file_line_and_field(
        uow: UowFactory, officer: Actor, legacy: None, tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[0][3] = "lots"
    rows[3][1] = "2019-07-01"  # after the revocation
    rows.append([REFUSED, "2019-06-01", "ML13.d", "1", "1", "USD", "", ""])
    with uow() as u, pytest.raises(InputError) as err:
        import_shipments_csv(u, officer, write(tmp_path, rows))
    text = str(err.value)
    assert text.startswith("Nothing was stored: 3 problems")
    assert "shipments.csv line 2: quantity: 'lots' is not a decimal number" in text
    assert "shipments.csv line 5: shipped_on: 2019-07-01 is outside the time" in text
    assert "shipments.csv line 6: reference: LEGACY-OLD-SIEL-SIEL-2019-002 is refused" in text
    assert stored(uow) == 0


def test_csv_corrections_see_the_rows_before_them(uow: UowFactory, officer: Actor,
                                                  legacy: None, tmp_path: Path) -> None:
    rows = [ROWS[0], (ISSUED, "2019-04-02", "ML1.a", "-101", "-1", "EUR", "", "Too many")]
    with uow() as u, pytest.raises(InputError, match="line 3: quantity: the correction takes"):
        import_shipments_csv(u, officer, write(tmp_path, rows))


def test_csv_header_problems(uow: UowFactory, officer: Actor, legacy: None,
                             tmp_path: Path) -> None:
    with uow() as u, pytest.raises(InputError) as err:
        import_shipments_csv(u, officer, write(tmp_path, [], ["reference", "when", "value"]))
    text = str(err.value)
    assert "shipments.csv line 1: when: unknown column" in text
    assert "missing column(s): shipped_on, control_entry, quantity, currency" in text
    with uow() as u, pytest.raises(InputError, match="has no shipment rows"):
        import_shipments_csv(u, officer, write(tmp_path, []))


def test_csv_cancel_stores_nothing(uow: UowFactory, officer: Actor, legacy: None,
                                   tmp_path: Path) -> None:
    with uow() as u, pytest.raises(Cancelled):
        import_shipments_csv(u, officer, write(tmp_path), cancelled=lambda: True)
    assert stored(uow) == 0


def test_csv_needs_the_permission(uow: UowFactory, admin: Actor, tmp_path: Path) -> None:
    with uow() as u, pytest.raises(PermissionDeniedError):
        import_shipments_csv(u, admin, write(tmp_path))


def test_the_documented_columns_are_the_columns() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "formats" / "shipments.md"
           ).read_text(encoding="utf-8")
    header = doc.split("```csv", 1)[1].split("```", 1)[0].split()[0]
    assert tuple(header.split(",")) == CSV_COLUMNS


def test_legacy_rows_fixture_is_what_these_tests_assume() -> None:
    assert GENERIC_ROWS[0][0] == "SIEL/2019/001" and GENERIC_ROWS[3][0] == "OIEL-7"
