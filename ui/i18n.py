"""Loading translations: Qt's own and Golden Rule's, for the system language or the one
named in GOLDENRULE_LANG (for example "fr" or "de_DE").

Catalogues are ``resources/locale/goldenrule_<lang>.qm`` made with pyside6-lupdate and
pyside6-lrelease (docs/TRANSLATING.md); a language without a catalogue falls back to English.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

LOCALE_DIR = Path(__file__).resolve().parent.parent / "resources" / "locale"


def chosen_locale() -> QLocale:
    name = os.environ.get("GOLDENRULE_LANG", "").strip()
    return QLocale(name) if name else QLocale.system()


def install_translators(app: QCoreApplication, locale: QLocale | None = None,
                        directory: Path = LOCALE_DIR) -> list[str]:
    """Install what exists for ``locale``; returns the catalogues loaded (for the log)."""
    locale = locale or chosen_locale()
    loaded = []
    for old in app.findChildren(QTranslator, "goldenruleTranslator"):
        app.removeTranslator(old)
        old.deleteLater()
    sources = (("qtbase", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
               ("goldenrule", str(directory)))
    for name, folder in sources:
        translator = QTranslator(app)
        translator.setObjectName("goldenruleTranslator")
        if translator.load(locale, name, "_", folder):
            app.installTranslator(translator)
            loaded.append(translator.filePath())
        else:
            translator.deleteLater()
    return loaded
