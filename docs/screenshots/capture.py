"""Render the screenshots in docs/screenshots from the real widgets on a demo database.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/capture.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app import users  # noqa: E402
from app.database import open_database  # noqa: E402
from app.demo import seed_demo  # noqa: E402
from app.uow import UnitOfWork  # noqa: E402
from app.vocab import Role  # noqa: E402
from ui.application import make_qapplication  # noqa: E402
from ui.context import UiContext  # noqa: E402
from ui.login import FirstRunDialog, LoginDialog  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.tasks import TaskRunner  # noqa: E402


def shot(widget, name: str) -> None:
    QApplication.processEvents()
    widget.grab().save(str(HERE / name))
    print("wrote", HERE / name)


def assessment_shots(window: MainWindow) -> None:
    """The guided assessment: a hard stop, a criterion being rated, a refused approval."""
    from app.assessment import Outcome

    view = window.open_assessment(6, "golden-rule")
    shot(window, "assessment-hard-stop.png")
    view = window.open_assessment(2, "eu-cp")
    page = view.go_to("2a")
    for qid, answer in (("competent_body_findings", 1), ("end_user_implicated", 1),
                        ("items_used_for_repression", 2)):
        page.answer_boxes[qid].setCurrentIndex(answer)
    page.level_buttons["clear"].setChecked(True)
    page.rationale.setPlainText(
        "[DEMO] Tutorial example: the fictitious report describes public-order units using "
        "force against peaceful protesters on several occasions in 2024, with no independent "
        "investigation. Protective equipment would sustain those deployments: a clear risk "
        "that the items might be used for internal repression.")
    page.citations.add_row(["[DEMO] Fictitious tutorial report, 'Policing of protests, 2024', "
                            "paras 12-30", "B2", "Pattern of force against protesters"])
    page._on_citations()
    view.flush()
    QApplication.processEvents()
    page.verticalScrollBar().setValue(page.level_buttons["negligible"].parentWidget().y() + 230)
    shot(window, "assessment-criterion.png")
    tree = page.evidence.tree
    tree.setCurrentItem(tree.topLevelItem(0))
    view.cite(page, tree.currentItem().data(0, 256))
    QApplication.processEvents()
    page.verticalScrollBar().setValue(page.verticalScrollBar().maximum())
    shot(window, "assessment-evidence.png")
    summary = view.go_to("summary")
    summary.outcome_buttons[Outcome.APPROVE].setChecked(True)
    summary.rationale.setPlainText("Approve: the equipment is protective.")
    QApplication.processEvents()
    summary.verticalScrollBar().setValue(summary.verticalScrollBar().maximum())
    shot(window, "assessment-summary.png")
    view.autosave_now()


def evidence_shots(window: MainWindow) -> None:
    """The evidence base: a search with filters and the detail pane; the pattern chart."""
    from ui.evidence.pattern_chart import PatternDialog

    window.show_area("evidence")
    page = window.evidence_page
    page.search.setText("police force")
    page.search_now()
    QApplication.processEvents()
    page.table.selectRow(0)
    shot(window, "evidence.png")
    dialog = PatternDialog(window.ctx, window.runner, window)
    dialog.resize(900, 640)
    dialog.show_for(country="SS")
    dialog.show()
    shot(dialog, "evidence-pattern.png")
    dialog.close()
    window.show_area(0)


CA_PASSWORD = "demo-ca-passphrase-1"


def decision_shots(db, tmp: Path, officer, officer_password: str) -> None:
    """Signing, the supervisor's review queue, the audit view, exporting and verifying a
    signed rationale, verification and keys."""
    from app import assessments, decisions
    from app.assessment import DecisionInput, Outcome
    from app.demo import DEMO_PASSWORD
    from ui.sign_dialog import SignDialog

    with UnitOfWork(db.session_factory) as uow:
        assessments.open_assessment(uow, officer, 6, "golden-rule")
    with UnitOfWork(db.session_factory) as uow:
        decisions.record_decision(uow, officer, 6, "golden-rule", DecisionInput(
            Outcome.REFUSE, "[DEMO] The destination is under UN and EU arms embargoes covering "
            "rifles and ammunition: the transfer is prohibited (ATT Art 6(1)).", [],
            ["prohibitions"]), password=officer_password)
    dialog = SignDialog(None, "Sign the decision",
                        "Sign 'Refuse' for GR-2026-00006 under The Golden Rule: no transfer "
                        "where there is a substantial risk of serious violations?",
                        sign_text="Sign decision")
    dialog.password_edit.setText("secret-password")
    dialog.show()
    dialog.adjustSize()
    shot(dialog, "sign-dialog.png")
    dialog.close()
    with UnitOfWork(db.session_factory) as uow:
        supervisor = users.authenticate(uow, "demo.supervisor", DEMO_PASSWORD)
        admin = users.authenticate(uow, "admin", "demo-password-1")
    settings = QSettings(str(tmp / "s2.ini"), QSettings.Format.IniFormat)
    window = MainWindow(UiContext(db, supervisor), settings, runner=TaskRunner(synchronous=True),
                        check_integrity=False)
    window.resize(1440, 860)
    window.show()
    window.show_area("review")
    window.review_page.select_case(6)
    shot(window, "review-queue.png")
    window.show_area("audit")
    page = window.audit_page
    page.search_now()
    page.open_ref("GR-2026-00008/1")
    shot(window, "audit-record.png")
    exported = tmp / "Exports"
    exported.mkdir()
    page.record_view.exports.export_pdf(exported / "GR-2026-00008-1.pdf")
    shot(window, "record-export.png")
    document = window.verify_document(exported / "GR-2026-00008-1.pdf")
    document.resize(920, 640)
    QApplication.processEvents()
    shot(document, "verify-document.png")
    document.close()
    page.open_ref("GR-2026-00008/2")
    page.show_tab("history")
    shot(window, "audit-history.png")
    verify = window.verify_integrity()
    verify.resize(880, 420)
    QApplication.processEvents()
    shot(verify, "verify-integrity.png")
    verify.close()
    window.close()
    admin_window = MainWindow(UiContext(db, admin), settings,
                              runner=TaskRunner(synchronous=True), check_integrity=False)
    admin_window.resize(1440, 860)
    admin_window.show()
    admin_window.show_area("settings")
    tabs = admin_window.settings_page.tabs
    for index in range(tabs.count()):
        name = {"Keys": "settings-keys.png", "Authority": "settings-authority.png",
                "Users": "settings-users.png"}.get(tabs.tabText(index))
        if name:
            tabs.setCurrentIndex(index)
            shot(admin_window, name)
    admin_window.close()


def report_shots(db, tmp: Path) -> None:
    """The Reports area: last year's EU COARM table (unredacted, as a supervisor sees it) and
    its charts, over the demo history (24 fictitious licences imported as a previous
    system's records when the demo loads)."""
    from datetime import date

    from app.demo import DEMO_PASSWORD
    from app.oversight.service import ReportRequest

    with UnitOfWork(db.session_factory) as uow:
        supervisor = users.authenticate(uow, "demo.supervisor", DEMO_PASSWORD)
    settings = QSettings(str(tmp / "s3.ini"), QSettings.Format.IniFormat)
    window = MainWindow(UiContext(db, supervisor), settings, runner=TaskRunner(synchronous=True),
                        check_integrity=False)
    window.resize(1440, 860)
    window.show()
    window.show_area("reports")
    page = window.reports_page
    year = date.today().year - 1
    page.set_request(ReportRequest("eu-coarm", date(year, 1, 1), date(year, 12, 31),
                                   redaction="none"))
    page.preview()
    page.show_tab("coarm")
    shot(window, "reports-coarm.png")
    page.show_tab("charts")
    shot(window, "reports-charts.png")
    window.close()


def shipment_shots(db, tmp: Path, officer) -> None:
    """Case › Shipments on a demo licence of last year: its two consignments of spare parts
    imported with the demo, two more recorded by hand, one of them beyond the licence."""
    from datetime import date

    from app import cases, shipments

    year = date.today().year - 1
    with UnitOfWork(db.session_factory) as uow:
        shipments.record_shipment(uow, officer, "DEMO-H-004", date(year, 11, 5), "ML5.b", "2",
                                  "150000.00", "GBP", "[DEMO] Fire-control sensors")
    with UnitOfWork(db.session_factory) as uow:
        shipments.record_shipment(uow, officer, "DEMO-H-004", date(year, 12, 1), "ML10.h", "6",
                                  "19000.00", "GBP", "[DEMO] Replacement spare parts")
    with UnitOfWork(db.session_factory) as uow:
        case_id = cases.find_case_id(uow, "DEMO-H-004")
    settings = QSettings(str(tmp / "s4.ini"), QSettings.Format.IniFormat)
    window = MainWindow(UiContext(db, officer), settings, runner=TaskRunner(synchronous=True),
                        check_integrity=False)
    window.resize(1440, 860)
    window.show()
    dialog = window.open_shipments(case_id)  # imported history: not in the register
    shot(dialog, "shipments.png")
    dialog.close()
    window.close()


def _un_entity(dataid: str, name: str, ref: str, listed: str, programme: str, remarks: str,
               aliases: tuple[tuple[str, str], ...], city: str, country: str) -> str:
    alias_xml = "".join(f"<ENTITY_ALIAS><QUALITY>{q}</QUALITY><ALIAS_NAME>{a}</ALIAS_NAME>"
                        f"</ENTITY_ALIAS>" for q, a in aliases)
    return (f"<ENTITY><DATAID>{dataid}</DATAID><VERSIONNUM>1</VERSIONNUM><FIRST_NAME>{name}"
            f"</FIRST_NAME><UN_LIST_TYPE>{programme}</UN_LIST_TYPE><REFERENCE_NUMBER>{ref}"
            f"</REFERENCE_NUMBER><LISTED_ON>{listed}</LISTED_ON><COMMENTS1>{remarks}"
            f"</COMMENTS1>{alias_xml}<ENTITY_ADDRESS><CITY>{city}</CITY><COUNTRY>{country}"
            f"</COUNTRY></ENTITY_ADDRESS></ENTITY>")


def _un_individual(dataid: str, names: tuple[str, ...], ref: str, listed: str,
                   programme: str, born: str, nationality: str, aliases: tuple[str, ...]) -> str:
    parts = "".join(f"<{tag}>{n}</{tag}>" for tag, n in zip(
        ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME"), names, strict=False))
    alias_xml = "".join(f"<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>{a}</ALIAS_NAME>"
                        f"</INDIVIDUAL_ALIAS>" for a in aliases)
    return (f"<INDIVIDUAL><DATAID>{dataid}</DATAID><VERSIONNUM>1</VERSIONNUM>{parts}"
            f"<UN_LIST_TYPE>{programme}</UN_LIST_TYPE><REFERENCE_NUMBER>{ref}</REFERENCE_NUMBER>"
            f"<LISTED_ON>{listed}</LISTED_ON><NATIONALITY><VALUE>{nationality}</VALUE>"
            f"</NATIONALITY>{alias_xml}<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT"
            f"</TYPE_OF_DATE><DATE>{born}</DATE></INDIVIDUAL_DATE_OF_BIRTH></INDIVIDUAL>")


def demo_un_list(path: Path, generated: str, *, update: bool) -> Path:
    """A small list in the UN's XML for the screenshots: made-up entries and references, with
    one entity the demo case's end user resembles in the update."""
    people = [_un_individual("9100001", ("IVAN", "PETROVICH", "SIDOROV"), "KPi.931",
                             "2016-11-30", "DPRK", "1970-05-01", "Russian Federation",
                             ("Ivan Sidorov", "Ivan P. Sidorov") if update else
                             ("Ivan Sidorov",)),
              _un_individual("9100002", ("AHMAD", "KHALIL", "NOORI"), "QDi.931", "2001-01-25",
                             "Al-Qaida", "1961-03-02", "Iran (Islamic Republic of)", ())]
    firms = [_un_entity("9100003", "NORTHERN STAR TRADING CORPORATION", "KPe.931",
                        "2017-08-05", "DPRK", "[DEMO] Front company for arms sales.",
                        (("a.k.a.", "NSTC"),), "Pyongyang",
                        "Democratic People's Republic of Korea")]
    if not update:
        firms.append(_un_entity("9100004", "LAKE KIVU MINERALS COOPERATIVE", "CDe.932",
                                "2012-12-31", "DRC", "[DEMO] Delisted in the update.", (),
                                "Goma", "Democratic Republic of the Congo"))
    else:
        firms += [
            _un_entity("9100005", "UGANDA COMMERCIAL IMPEX (UCI) LTD", "CDe.936", "2005-03-29",
                       "DRC", "[DEMO] Made-up entry for the screenshots: gold trading company "
                       "said to buy from armed groups in eastern Congo.",
                       (("a.k.a.", "UCI"), ("Low", "Uganda Commercial")), "Kampala", "Uganda"),
            _un_entity("9100006", "GREAT LAKES AIR FREIGHT SERVICES", "CDe.937", "2026-02-20",
                       "DRC", "[DEMO] Made-up entry: carries arms to armed groups.",
                       (("a.k.a.", "GLAFS"),), "Entebbe", "Uganda")]
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<CONSOLIDATED_LIST dateGenerated="{generated}T00:00:00.000Z">'
        f"<INDIVIDUALS>{''.join(people)}</INDIVIDUALS><ENTITIES>{''.join(firms)}</ENTITIES>"
        "</CONSOLIDATED_LIST>\n", encoding="utf-8")
    return path


def screening_shots(db, tmp: Path, officer) -> None:
    """The Screening window after a UN list update (its changes, the re-screening's new hit),
    the demo case's screening tab with the hit explained, and a name checked ad hoc."""
    from app import cases
    from app.screening import lists as list_store
    from ui.screening.import_dialog import ImportRequest

    folder = tmp / "lists"
    folder.mkdir()
    national = folder / "national-watch-list.csv"
    national.write_text(
        "id,name,kind,aliases,birth_dates,countries,programmes,reference,listed_on,remarks\n"
        "NW-1,[DEMO] Meridian Dual-Use Brokers,entity,Meridian Brokers,,AE,EXPORT-CONTROL,"
        "NW/2024/01,2024-06-01,Made-up entry\n"
        "NW-2,[DEMO] Castellan Defence Trading,entity,,,CY,EXPORT-CONTROL,NW/2025/07,"
        "2025-02-11,Made-up entry\n", encoding="utf-8")
    with UnitOfWork(db.session_factory) as uow:
        list_store.import_list(uow, officer, national, list_name="National watch list",
                               fmt="csv")
    with UnitOfWork(db.session_factory) as uow:
        list_store.import_list(uow, officer, demo_un_list(folder / "un-2026-01.xml",
                                                          "2026-01-15", update=False))
    settings = QSettings(str(tmp / "s5.ini"), QSettings.Format.IniFormat)
    window = MainWindow(UiContext(db, officer), settings, runner=TaskRunner(synchronous=True),
                        check_integrity=False)
    window.resize(1440, 860)
    window.show()
    window.show_area("screening")
    page = window.screening_page
    page.start_import(ImportRequest(demo_un_list(folder / "un-2026-02.xml", "2026-02-27",
                                                 update=True), "un-xml", None))
    QApplication.processEvents()
    shot(window, "screening.png")
    page.tabs.setCurrentIndex(page.CHECK_TAB)
    panel = page.name_panel
    panel.name_edit.setText("Sidorov, Ivan")
    panel.country.set_code("RU")
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("individual"))
    panel.birth_edit.setText("1970-05-01")
    page.check_name()
    shot(window, "screening-check.png")
    with UnitOfWork(db.session_factory) as uow:
        ref = next(c.reference for c in cases.list_cases(uow)
                   if "Arden Vehicle" in c.exporter_name)
    page.open_case_by_reference(ref)
    tab = window.current_editor().screening_tab
    tab.screen_now()
    tab.reason_edit.setPlainText("")
    QApplication.processEvents()
    shot(window, "case-screening.png")
    for e in window.editors():
        e._autosave.stop()
    window.close()


DENIAL_COLUMNS = ("reference", "regime_reg_ref", "name", "address", "notifying_government",
                  "country", "denial_cle", "item_description", "end_use", "reason_for_refusal",
                  "entity_type", "notified_on")
DENIAL_ROWS = [
    ("FR-2025-0117", "WA-ML-2025-031", "Gendarmerie nationale de Côte d'Ivoire",
     "Camp Gallieni, Abidjan", "France", "Côte d'Ivoire", "ML1.a",
     "Assault rifles 5.56 mm", "Public order units", "Criterion 2: risk of internal repression",
     "end_user", "2025-03-14"),
    ("DE-2024-0452", "", "Société Ivoirienne de Logistique Défense SARL",
     "Port autonome d'Abidjan", "Germany", "CI", "ML3.a; ML13.d",
     "Ammunition and body armour", "Resale to security forces",
     "Criterion 7: risk of diversion", "consignee", "2024-09-02"),
    ("NL-2023-0088", "", "Kivu Mining Security Services", "Avenue du Lac 14, Goma",
     "Netherlands", "Congo, the Democratic Republic of the", "ML1.a", "Semi-automatic pistols",
     "Site security", "Criterion 7: diversion risk", "end_user", "2023-06-20"),
    ("SE-2022-0031", "WA-DU-2022-019", "Eastern Horizon Trading FZE",
     "Jebel Ali Free Zone, Dubai", "Sweden", "AE", "5A002.a",
     "Encryption modules", "Unknown", "Criterion 7: re-export risk", "consignee",
     "2022-11-08"),
    ("BE-2025-0203", "", "Directorate of Military Procurement", "Ring Road, Accra",
     "Belgium", "Ghana", "ML10.c", "UAV spare parts", "Border surveillance",
     "Criterion 3: internal conflict", "end_user", "2025-07-01"),
    ("IT-2024-1190", "", "Al-Noor Security Equipment LLC", "Industrial Area 4, Sharjah",
     "Italy", "United Arab Emirates", "catch all", "Night-vision goggles",
     "Private security", "Criterion 7: diversion to embargoed destination", "third_party",
     "2024-02-19"),
    ("ES-2023-0410", "", "Mali Defence Logistics", "Bamako", "Spain", "Mali", "ML4.b",
     "Mortar rounds 81 mm", "Armed forces", "Criterion 2 and 6", "end_user", "2023-12-11"),
    ("AT-2026-0014", "", "Policía Nacional de Seguridad Regional", "Av. Central 201",
     "Austria", "Atlantis", "ML1.a", "Sniper rifles", "Counter-terrorism",
     "Criterion 2", "end_user", "2026-01-22"),
]


def denial_shots(db, tmp: Path, officer) -> None:
    """The denial register after importing other states' notifications, and the
    consultation dialog of an application two of them match."""
    import csv
    from dataclasses import replace

    from app import cases
    from app.casedata import PartyData
    from app.status import CaseStatus
    from ui.denials.consult_dialog import ConsultDialog
    from ui.denials.register_dialog import DenialRegisterDialog

    notes = tmp / "eu-denial-notifications-2026-11.csv"
    with notes.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(DENIAL_COLUMNS)
        writer.writerows(DENIAL_ROWS)
    with UnitOfWork(db.session_factory) as uow:
        template = cases.get_case(uow, 2).data
    data = replace(template, destination="CI", exporter_name="[DEMO] Aegis Protective Systems "
                   "GmbH", parties=[
                       PartyData("end_user", "Gendarmerie nationale de Côte d'Ivoire",
                                 "Plateau, Abidjan", "CI", "police_security"),
                       PartyData("consignee", "Société Ivoirienne de Logistique Défense",
                                 "Port autonome d'Abidjan", "CI", "commercial")],
                   goods=[*template.goods, replace(template.goods[0], control_entry="ML1.a",
                                                   description="Assault rifles 5.56 mm",
                                                   att_category="VIII")])
    with UnitOfWork(db.session_factory) as uow:
        case = cases.create_case(uow, officer, data, status=CaseStatus.RECEIVED)
    ctx = UiContext(db, officer)
    runner = TaskRunner(synchronous=True)
    register = DenialRegisterDialog(ctx, runner)
    register.resize(1280, 840)
    register.show()
    register.import_notifications(notes)
    QApplication.processEvents()
    register.select("notified:FR-2025-0117")
    shot(register, "denial-register.png")
    register.close()
    consult = ConsultDialog(ctx, case.id)
    consult.resize(1120, 740)
    consult.show()
    QApplication.processEvents()
    consult.select_key("notified:DE-2024-0452")
    consult.outcome_edit.setPlainText(
        "Germany confirmed by letter of 25 November that its denial concerned resale of "
        "ammunition to units outside the Ministry of Defence; it has no objection to body "
        "armour for the gendarmerie under an end-user certificate with a re-export clause.")
    consult.date_edit.setDate(consult.date_edit.maximumDate().addDays(-7))
    consult.record()
    consult.select_key("notified:FR-2025-0117")
    consult.outcome_edit.setPlainText(
        "France's denial (FR-2025-0117) concerned assault rifles for public-order units. "
        "Its export control office confirmed on 1 December that its assessment stands.")
    shot(consult, "denial-consult.png")
    consult.close()


def main() -> None:
    import faulthandler

    faulthandler.dump_traceback_later(240, exit=True)
    make_qapplication()
    tmp = tempfile.TemporaryDirectory()
    db = open_database(Path(tmp.name) / "demo.sqlite3")
    first = FirstRunDialog(db)
    first.full_name.setText("Amira Haddad")
    first.show()
    shot(first, "first-run.png")
    first.close()
    with UnitOfWork(db.session_factory) as uow:
        admin = users.create_first_administrator(uow, "admin", "Amira Haddad", "demo-password-1",
                                                 ca_password=CA_PASSWORD,
                                                 organisation="Export Control Joint Unit")
        officer = users.create_user(uow, admin, "jmercier", "Julien Mercier", Role.OFFICER,
                                    "demo-password-2", ca_password=CA_PASSWORD)
        seed_demo(uow, admin, ca_password=CA_PASSWORD)
    login = LoginDialog(db, username="jmercier")
    login.show()
    shot(login, "login.png")
    login.close()

    settings = QSettings(str(Path(tmp.name) / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(UiContext(db, officer), settings, runner=TaskRunner(synchronous=True),
                        check_integrity=False)
    window.resize(1440, 860)
    window.show()
    shot(window, "register.png")
    editor = window.open_case(2)
    shot(window, "case-editor.png")
    editor.tabs.setCurrentIndex(1)
    shot(window, "case-parties.png")
    editor.tabs.setCurrentIndex(2)
    model = editor.goods_model
    model.setData(model.index(1, 1), "ML31")
    editor._revalidate()
    shot(window, "case-goods-validation.png")
    editor._autosave.stop()
    assessment_shots(window)
    evidence_shots(window)
    window.show_area("settings")
    shot(window, "settings.png")
    for e in [*window.editors(), *window.assessment_views()]:
        e._autosave.stop()
    window.hide()
    decision_shots(db, Path(tmp.name), officer, "demo-password-2")
    report_shots(db, Path(tmp.name))
    shipment_shots(db, Path(tmp.name), officer)
    screening_shots(db, Path(tmp.name), officer)
    denial_shots(db, Path(tmp.name), officer)
    db.dispose()
    tmp.cleanup()


if __name__ == "__main__":
    main()
