"""The signed rationale documents in the UI, with real widgets over a real signed decision:
exporting the PDF, the workbook and the case bundle from the record viewer, the officer's
Case › Export rationale documents, and the Verify-a-document dialog (chosen, dropped,
tampered, foreign files)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from app import documents
from app.casedata import CaseData
from app.database import Database
from app.document_check import Verdict, check_file
from app.errors import AuthenticationError, NotFoundError
from app.uow import UnitOfWork
from app.users import Actor
from tests.conftest import OFFICER_PASSWORD
from tests.ui.test_audit_view import APPROVE, new_case, sign
from tests.unit.test_assessments_service import assessed, clean
from ui import document_export
from ui.audit.record_view import RecordView
from ui.context import UiContext
from ui.document_verify_dialog import DocumentVerifyDialog, pick_document
from ui.tasks import TaskRunner

UowFactory = Callable[[], UnitOfWork]


@dataclass
class Signed:
    case_id: int
    record_id: int
    ref: str  # GR-2026-0000N/1


def _sign_one(uow: UowFactory, officer: Actor, data: CaseData) -> Signed:
    case_id = new_case(uow, officer, data, "CI")
    assessed(uow, officer, case_id, clean())
    record = sign(uow, officer, case_id, APPROVE)
    return Signed(case_id, record.id, record.ref)


@pytest.fixture
def signed(uow: UowFactory, officer: Actor, sample_case_data: CaseData) -> Signed:
    return _sign_one(uow, officer, sample_case_data)


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch, dialogs) -> list[tuple[str, BaseException]]:
    """Error boxes of the export bar, recorded with those of the other modules."""
    monkeypatch.setattr(document_export, "show_error",
                        lambda _p, title, exc: dialogs.errors.append((title, exc)))
    return dialogs.errors


@pytest.fixture
def record_view(qtbot, database: Database, officer: Actor, signed: Signed, qapp_style,
                errors) -> RecordView:
    view = RecordView(UiContext(database, officer))
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    assert view.show_record(signed.case_id, signed.record_id) is not None
    return view


def check(database: Database, path: Path) -> Verdict:
    with UnitOfWork(database.session_factory) as uow:
        return check_file(path, uow=uow)


# --- exporting from the record viewer ----------------------------------------------------

def test_record_view_exports_the_signed_pdf_and_workbook(
        qtbot, record_view: RecordView, signed: Signed, database: Database, tmp_path: Path,
        errors, monkeypatch: pytest.MonkeyPatch) -> None:
    bar = record_view.exports
    assert bar.isVisible() and bar.record_ref == signed.ref
    assert signed.ref in bar.label.text()
    stem = signed.ref.replace("/", "-")
    assert bar.default_path(".pdf").name == f"{stem}.pdf"
    assert bar.default_path(".xlsx").name == f"{stem}.xlsx"
    assert bar.default_path("-bundle.zip").name == f"{stem}-bundle.zip"

    written = bar.export_pdf(tmp_path / "out" / "rationale.pdf")
    assert written == [tmp_path / "out" / "rationale.pdf"]
    verdict = check(database, written[0])
    assert verdict.ok and verdict.kind == "pdf" and verdict.matches_record
    assert verdict.record_ref == signed.ref
    assert "rationale.pdf" in bar.message.text()

    workbook = tmp_path / "rationale.xlsx"
    assert bar.export_workbook(workbook) == [workbook, documents.signature_path(workbook)]
    assert documents.signature_path(workbook).exists()
    verdict = check(database, workbook)
    assert verdict.ok and verdict.kind == "workbook" and verdict.matches_record

    # the button, through the file chooser (which adds the suffix when the user left it out)
    chosen = tmp_path / "by-button"
    monkeypatch.setattr("ui.document_export.QFileDialog.getSaveFileName",
                        lambda *_a, **_k: (str(chosen), ""))
    qtbot.mouseClick(bar.pdf_button, Qt.MouseButton.LeftButton)
    assert check(database, tmp_path / "by-button.pdf").ok
    assert errors == []


def test_bundle_export_is_signed_with_the_exporters_password(
        qtbot, record_view: RecordView, database: Database, tmp_path: Path, errors,
        monkeypatch: pytest.MonkeyPatch) -> None:
    bar = record_view.exports
    wrong = tmp_path / "wrong-bundle.zip"
    assert bar.export_bundle(wrong, "not-my-password") is None
    assert len(errors) == 1 and isinstance(errors[0][1], AuthenticationError)
    assert errors[0][0] == "The case bundle was not exported"
    assert not wrong.exists()
    assert bar.message.text() == ""

    result = bar.export_bundle(tmp_path / "case-bundle.zip", OFFICER_PASSWORD)
    assert result is not None and result.path.exists() and result.files > 5
    verdict = check(database, result.path)
    assert verdict.ok and verdict.kind == "bundle"
    assert [s.username for s in verdict.signatures] == ["olga"]

    # the button asks for the password; cancelling it writes nothing
    monkeypatch.setattr("ui.document_export.QFileDialog.getSaveFileName",
                        lambda *_a, **_k: (str(tmp_path / "by-button-bundle.zip"), ""))
    asked: list[str] = []

    def cancel(_parent: object, ref: str) -> None:
        asked.append(ref)

    monkeypatch.setattr(document_export, "ask_bundle_password", cancel)
    qtbot.mouseClick(bar.bundle_button, Qt.MouseButton.LeftButton)
    assert asked == [bar.record_ref]
    assert not (tmp_path / "by-button-bundle.zip").exists()
    monkeypatch.setattr(document_export, "ask_bundle_password",
                        lambda _p, _ref: OFFICER_PASSWORD)
    qtbot.mouseClick(bar.bundle_button, Qt.MouseButton.LeftButton)
    assert check(database, tmp_path / "by-button-bundle.zip").ok
    assert len(errors) == 1


def test_a_decision_without_documents_shows_the_applications_message(
        qtbot, uow: UowFactory, database: Database, officer: Actor, sample_case_data,
        qapp_style, errors, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patch:  # as if signed before Golden Rule made documents
        patch.setattr(documents, "issue", lambda *_a, **_k: None)
        old = _sign_one(uow, officer, sample_case_data)
    view = RecordView(UiContext(database, officer))
    qtbot.addWidget(view)
    view.show_record(old.case_id, old.record_id)
    assert view.exports.export_pdf(tmp_path / "old.pdf") is None
    title, exc = errors[0]
    assert title == "The rationale was not exported" and isinstance(exc, NotFoundError)
    assert "signed before Golden Rule made signed rationale documents" in str(exc)
    assert not (tmp_path / "old.pdf").exists()
    view.clear()
    assert not view.exports.isVisibleTo(view)


# --- the officer's export from the main window --------------------------------------------

def test_officer_exports_the_rationale_of_the_selected_case(
        qtbot, make_window, ctx: UiContext, signed: Signed, database: Database,
        tmp_path: Path, dialogs, monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window(ctx)
    assert window.export_rationale_action.isEnabled()
    window.register.select_case(signed.case_id)
    folder = tmp_path / "for-the-court"
    folder.mkdir()
    monkeypatch.setattr("ui.main_window.QFileDialog.getExistingDirectory",
                        lambda *_a, **_k: str(folder))
    window.export_rationale_action.trigger()
    stem = signed.ref.replace("/", "-")
    assert sorted(p.name for p in folder.iterdir()) == [
        f"{stem}.pdf", f"{stem}.xlsx", f"{stem}.xlsx.p7s"]
    assert check(database, folder / f"{stem}.pdf").ok
    assert check(database, folder / f"{stem}.xlsx").ok
    assert f"{stem}.pdf" in window.statusBar().currentMessage()

    editor = window.open_case(signed.case_id)  # from the case's own tab as well
    assert editor is not None
    written = window.export_rationale_documents(tmp_path)
    assert written is not None and (tmp_path / f"{stem}.pdf").exists()
    assert dialogs.errors == []


def test_exporting_an_undecided_case_says_why(
        qtbot, make_window, ctx: UiContext, uow: UowFactory, officer: Actor,
        sample_case_data, tmp_path: Path, dialogs) -> None:
    undecided = new_case(uow, officer, sample_case_data, "KE")
    window = make_window(ctx)
    window.register.select_case(undecided)
    folder = tmp_path / "out"
    folder.mkdir()
    assert window.export_rationale_documents(folder) is None
    assert isinstance(dialogs.errors[0][1], NotFoundError)
    assert "no signed decision yet" in str(dialogs.errors[0][1])
    assert list(folder.iterdir()) == []


# --- verifying a document -----------------------------------------------------------------

@pytest.fixture
def exported(database: Database, officer: Actor, signed: Signed, tmp_path: Path
             ) -> dict[str, Path]:
    folder = tmp_path / "exported"
    with UnitOfWork(database.session_factory) as uow:
        documents.export_rationale(uow, officer, signed.ref, pdf=folder / "r.pdf",
                                   xlsx=folder / "r.xlsx")
    return {"pdf": folder / "r.pdf", "xlsx": folder / "r.xlsx"}


@pytest.fixture
def open_dialog(qtbot, database: Database, officer: Actor, qapp_style
                ) -> Callable[..., DocumentVerifyDialog]:
    def open_(synchronous: bool = True) -> DocumentVerifyDialog:
        dialog = DocumentVerifyDialog(UiContext(database, officer),
                                      runner=TaskRunner(synchronous=synchronous))
        qtbot.addWidget(dialog)
        dialog.show()
        return dialog

    return open_


def banner_state(dialog: DocumentVerifyDialog) -> str:
    return str(dialog.banner.property("state"))


def test_a_valid_pdf_shows_green_with_its_signatures(
        open_dialog, exported: dict[str, Path], signed: Signed) -> None:
    dialog = open_dialog()
    assert not dialog.banner.isVisible() and dialog.drop_zone.isVisible()
    dialog.verify_path(exported["pdf"])
    assert dialog.verdict is not None and dialog.verdict.ok
    assert banner_state(dialog) == "ok"
    assert "VALID" in dialog.verdict_word.text() and "NOT" not in dialog.verdict_word.text()
    assert dialog.headline.text().startswith("The PDF is exactly as signed")
    assert dialog.record_match.isVisible()
    assert dialog.record_match.text() == f"✓ Matches the recorded decision {signed.ref}"
    rows = dialog.signature_rows()
    assert len(rows) == 1
    status, field, signer, username, _when, issuer = rows[0]
    assert status == "✓ Valid" and field == "Decision"
    assert "Olga Øfficer" in signer and username == "olga"
    assert issuer  # the office CA
    assert not dialog.signature_box.isVisible()  # only for workbooks
    assert dialog.drop_zone.title.text() == "r.pdf"
    assert "VALID" in dialog.result_text() and str(exported["pdf"]) in dialog.result_text()


def test_a_tampered_pdf_shows_red(open_dialog, exported: dict[str, Path],
                                  tmp_path: Path) -> None:
    data = bytearray(exported["pdf"].read_bytes())
    middle = len(data) // 2
    data[middle] ^= 0x01
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    dialog = open_dialog()
    dialog.verify_path(tampered)
    assert dialog.verdict is not None and not dialog.verdict.ok
    assert banner_state(dialog) == "bad"
    assert "NOT VALID" in dialog.verdict_word.text()
    assert dialog.headline.text().startswith("This PDF cannot be relied on")
    assert all(row[0] == "✗ Not valid" for row in dialog.signature_rows())
    assert dialog.record_match.property("state") != "ok"  # no green tick on a changed copy
    assert dialog.details.isVisible()
    assert "Decision · Olga Øfficer" in dialog.details.toPlainText()


def test_a_foreign_file_is_not_a_golden_rule_document(open_dialog, tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("Minutes of the licensing committee.\n", encoding="utf-8")
    dialog = open_dialog()
    dialog.verify_path(text)
    assert banner_state(dialog) == "bad"
    assert "NOT VALID" in dialog.verdict_word.text()
    assert dialog.headline.text().startswith("notes.txt is not a Golden Rule document")
    assert not dialog.table.isVisible() and not dialog.record_match.isVisible()
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(b"%PDF-1.7\n1 0 obj <<")
    dialog.verify_path(truncated)
    assert banner_state(dialog) == "bad" and dialog.verdict is not None
    dialog.verify_path(tmp_path / "missing.pdf")
    assert banner_state(dialog) == "bad"
    assert "Cannot read" in dialog.headline.text()


def test_a_workbook_uses_the_signature_beside_it_or_one_chosen(
        open_dialog, exported: dict[str, Path], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = open_dialog()
    dialog.verify_path(exported["xlsx"])
    assert banner_state(dialog) == "ok"
    assert dialog.signature_box.isVisible()
    assert "found beside the workbook" in dialog.signature_label.text()
    assert dialog.signature_rows()[0][1] == "(detached)"

    alone = tmp_path / "alone" / "copy.xlsx"
    alone.parent.mkdir()
    alone.write_bytes(exported["xlsx"].read_bytes())
    dialog.verify_path(alone)
    assert banner_state(dialog) == "bad"
    assert "signature file (.p7s) was not found" in dialog.headline.text()
    assert "--signature" not in dialog.headline.text()  # CLI words stay in the CLI
    assert dialog.signature_button.isVisible()
    monkeypatch.setattr("ui.document_verify_dialog.QFileDialog.getOpenFileName",
                        lambda *_a, **_k: (str(documents.signature_path(exported["xlsx"])), ""))
    dialog.signature_button.click()
    assert banner_state(dialog) == "ok"
    assert "(chosen)" in dialog.signature_label.text()


def drag_enter(at: QPointF, mime: QMimeData) -> QDragEnterEvent:
    """Qt 6.12 takes a QPointF (the QPoint form is deprecated); earlier versions a QPoint."""
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier)
    try:
        return QDragEnterEvent(at, *args)
    except TypeError:
        return QDragEnterEvent(at.toPoint(), *args)


def test_dropping_a_file_verifies_it_in_the_background(
        qtbot, open_dialog, exported: dict[str, Path]) -> None:
    dialog = open_dialog(synchronous=False)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(exported["pdf"]))])
    at = QPointF(dialog.width() / 2, dialog.height() / 2)
    enter = drag_enter(at, mime)
    QApplication.sendEvent(dialog, enter)
    assert enter.isAccepted()
    assert dialog.drop_zone.property("dropping") is True
    drop = QDropEvent(at, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(dialog.sig_verified, timeout=8000) as blocker:
        QApplication.sendEvent(dialog, drop)
        assert drop.isAccepted()
    assert blocker.args[0].ok
    assert banner_state(dialog) == "ok" and not dialog.running
    assert dialog.drop_zone.property("dropping") is False

    text_only = QMimeData()
    text_only.setText("not a file")
    refused = drag_enter(at, text_only)
    QApplication.sendEvent(dialog, refused)
    assert not refused.isAccepted()


def test_tools_menu_opens_one_verify_document_dialog(
        qtbot, make_window, ctx: UiContext, exported: dict[str, Path]) -> None:
    window = make_window(ctx)
    action = window.verify_document_action
    assert action.isEnabled() and action.shortcut().toString() == "Ctrl+Shift+V"
    action.trigger()
    dialog = window.document_dialog
    assert isinstance(dialog, DocumentVerifyDialog) and dialog.isVisible()
    assert window.verify_document(exported["pdf"]) is dialog  # raised again, not a second
    assert dialog.verdict is not None and dialog.verdict.ok
    dialog.close()
    qtbot.waitUntil(lambda: window.document_dialog is None, timeout=3000)


def test_a_workbook_dropped_with_its_signature_is_checked_with_it(
        exported: dict[str, Path], tmp_path: Path) -> None:
    signature = documents.signature_path(exported["xlsx"])
    assert pick_document([signature, exported["xlsx"]]) == (exported["xlsx"], signature)
    assert pick_document([signature]) == (exported["xlsx"], signature)
    assert pick_document([tmp_path]) is None  # a folder is not a document
