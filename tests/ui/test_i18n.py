"""The translation pipeline works end to end: extract, translate, compile, load, show."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication, QLabel

from ui.i18n import install_translators

ROOT = Path(__file__).resolve().parents[2]


def _tool(name: str) -> str:
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed")
    return found


def test_a_french_catalogue_translates_the_register(qtbot, ctx, tmp_path: Path) -> None:
    ts = tmp_path / "goldenrule_fr.ts"
    subprocess.run([_tool("pyside6-lupdate"), "-extensions", "py", str(ROOT / "ui"),
                    "-ts", str(ts)], check=True, capture_output=True)
    tree = ET.parse(ts)
    sources = {m.findtext("source"): m for m in tree.iter("message")}
    assert "Licence applications" in sources and "New application" in sources
    for source, text in (("Licence applications", "Demandes de licence"),
                         ("New application", "Nouvelle demande")):
        translation = sources[source].find("translation")
        translation.text = text
        translation.attrib.pop("type", None)
    tree.write(ts, encoding="utf-8", xml_declaration=True)
    subprocess.run([_tool("pyside6-lrelease"), str(ts)], check=True, capture_output=True)
    assert (tmp_path / "goldenrule_fr.qm").exists()

    app = QApplication.instance()
    loaded = install_translators(app, QLocale("fr"), tmp_path)
    try:
        assert any(path.endswith("goldenrule_fr.qm") for path in loaded)
        from ui.cases.register_view import CaseRegisterPage
        from ui.tasks import TaskRunner

        page = CaseRegisterPage(ctx, TaskRunner(synchronous=True))
        qtbot.addWidget(page)
        titles = [label.text() for label in page.findChildren(QLabel)]
        assert "Demandes de licence" in titles
        assert page.new_button.text() == "Nouvelle demande"
    finally:
        install_translators(app, QLocale("en"), tmp_path)
