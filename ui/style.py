"""The application's look: Fusion with a restrained palette and one stylesheet."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

NAVY = "#1d2840"
GOLD = "#c49a2c"

STYLESHEET = f"""
QListWidget#sidebar {{
    background: {NAVY}; color: #dfe4ee; border: none; font-size: 14px; padding-top: 8px;
    outline: 0;
}}
QListWidget#sidebar::item {{ padding: 10px 18px; border-left: 3px solid transparent; }}
QListWidget#sidebar::item:selected {{
    background: #2b3a5c; color: white; border-left: 3px solid {GOLD};
}}
QListWidget#sidebar::item:hover:!selected {{ background: #26324f; }}
QLabel#brand {{
    background: {NAVY}; color: white; font-size: 17px; font-weight: 600; padding: 16px 18px 4px;
}}
QLabel#brandSub {{ background: {NAVY}; color: #9aa6bf; font-size: 11px; padding: 0 18px 10px; }}
QLabel#pageTitle {{ font-size: 19px; font-weight: 600; color: #1d2840; }}
QLabel#muted {{ color: #6b7280; }}
QLabel#statusChip {{
    border-radius: 9px; padding: 2px 10px; background: #e8edf6; color: #1d2840; font-weight: 600;
}}
QLabel#statusChip[status="draft"] {{ background: #eef0f3; color: #4b5563; }}
QLabel#statusChip[status="in_assessment"] {{ background: #e0ecff; color: #1849a9; }}
QLabel#statusChip[status="on_hold"] {{ background: #fff4d6; color: #8a5a00; }}
QLabel#statusChip[status="refused"], QLabel#statusChip[status="revoked"] {{
    background: #fde8e8; color: #9b1c1c;
}}
QLabel#statusChip[status="approved"], QLabel#statusChip[status="approved_with_conditions"] {{
    background: #def7ec; color: #03543f;
}}
QLabel#demoChip {{
    border-radius: 9px; padding: 2px 10px; background: #fff1e0; color: #9a4d00; font-weight: 600;
}}
QLabel#problems {{
    background: #fff8f1; border: 1px solid #f3c99b; border-radius: 6px; padding: 6px 10px;
    color: #7a3e00;
}}
QLabel#formError {{ color: #b3261e; }}
QLabel#banner {{
    background: #fff8e1; border: 1px solid #f1d48a; border-radius: 6px; padding: 8px 12px;
}}
QPushButton {{ padding: 5px 14px; }}
QPushButton#primary {{
    background: {NAVY}; color: white; border: 1px solid {NAVY}; border-radius: 4px;
    padding: 6px 16px; font-weight: 600;
}}
QPushButton#primary:hover {{ background: #2b3a5c; }}
QPushButton#primary:disabled {{ background: #aab3c5; border-color: #aab3c5; }}
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"], QComboBox[invalid="true"],
QDateEdit[invalid="true"] {{
    border: 1px solid #d93025; background: #fff6f5;
}}
QGroupBox {{ font-weight: 600; margin-top: 14px; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 8px; padding: 0 4px; color: #1d2840; }}
QTableView {{ gridline-color: #e5e7eb; selection-background-color: #dbe6fb;
             selection-color: #111827; }}
QHeaderView::section {{
    background: #f3f5f9; border: none; border-bottom: 1px solid #d9dee8; padding: 5px 6px;
    font-weight: 600; color: #374151;
}}
QTabWidget::pane {{ border-top: 1px solid #d9dee8; }}
QTabBar::tab {{ padding: 7px 16px; }}
QListWidget#assessmentSteps {{
    background: white; border: 1px solid #d9dee8; border-radius: 6px; padding: 4px; outline: 0;
}}
QListWidget#assessmentSteps::item {{ padding: 6px 4px; border-radius: 4px; }}
QListWidget#assessmentSteps::item:selected {{ background: #e6ecf8; color: #111827; }}
QLabel#effectChip {{
    border-radius: 9px; padding: 2px 10px; font-weight: 600; background: #eef0f3; color: #374151;
}}
QLabel#effectChip[effect="hard_stop"] {{ background: #fde8e8; color: #9b1c1c; }}
QLabel#effectChip[effect="mandatory"] {{ background: #fff1e0; color: #9a4d00; }}
QLabel#legalTest {{ font-size: 14px; color: #111827; }}
QFrame#checkCard {{
    background: white; border: 1px solid #d9dee8; border-left: 4px solid #1f8a5b;
    border-radius: 6px;
}}
QFrame#checkCard[status="applies"] {{ border-left-color: #c62828; }}
QFrame#checkCard[status="review"], QFrame#checkCard[status="unresolved"] {{
    border-left-color: #d98e04;
}}
QFrame#checkCard[status="not_available"] {{ border-left-color: #9ca3af; }}
QFrame#checkCard[status="consult"] {{ border-left-color: #e8590c; }}
QLabel#checkTitle {{ font-weight: 600; color: #1d2840; }}
QLabel#checkChip {{
    border-radius: 9px; padding: 2px 10px; font-weight: 600; background: #def7ec; color: #03543f;
}}
QLabel#checkChip[status="applies"] {{ background: #fde8e8; color: #9b1c1c; }}
QLabel#checkChip[status="review"], QLabel#checkChip[status="unresolved"] {{
    background: #fff4d6; color: #8a5a00;
}}
QLabel#checkChip[status="not_available"] {{ background: #eef0f3; color: #4b5563; }}
QLabel#checkChip[status="consult"] {{ background: #fff1e0; color: #9a4d00; }}
QLabel#outcomeHeadline {{
    font-size: 15px; font-weight: 600; border-radius: 6px; padding: 10px 14px;
    background: #e0ecff; color: #1849a9;
}}
QLabel#outcomeHeadline[state="refuse"] {{ background: #fde8e8; color: #9b1c1c; }}
QLabel#outcomeHeadline[state="incomplete"] {{ background: #fff4d6; color: #8a5a00; }}
QLabel#outcomeHeadline[state="judgement"] {{ background: #def7ec; color: #03543f; }}
QLabel#outcomeHeadline[state="historical"] {{ background: #eef0f3; color: #4b5563; }}
QLabel#levelDescription {{ color: #4b5563; }}
QLabel#incidentsNote {{
    background: #f3f5f9; border-radius: 4px; padding: 6px 10px; color: #374151;
}}
QRadioButton[forbidden="true"] {{ color: #9b1c1c; }}
QTabBar::tab:selected {{ border-bottom: 2px solid {GOLD}; color: #1d2840; font-weight: 600; }}
QLabel#evidenceTitle {{ font-size: 15px; font-weight: 600; color: #1d2840; }}
QLabel#gradeChip {{
    border-radius: 9px; padding: 2px 9px; font-weight: 700; background: #eef0f3; color: #374151;
}}
QLabel#gradeChip[reliability="A"], QLabel#gradeChip[reliability="B"] {{
    background: #def7ec; color: #03543f;
}}
QLabel#gradeChip[reliability="C"], QLabel#gradeChip[reliability="D"] {{
    background: #fff4d6; color: #8a5a00;
}}
QLabel#gradeChip[reliability="E"] {{ background: #fde8e8; color: #9b1c1c; }}
QWidget#attachmentRow {{ background: #f3f5f9; border: 1px solid #d9dee8; border-radius: 6px; }}
QLabel#fieldLabel {{ font-weight: 600; color: #374151; }}
QPushButton#linkButton {{ border: none; color: #1849a9; padding: 5px 6px; }}
QPushButton#linkButton:hover {{ text-decoration: underline; }}
QWidget#evidencePage[dropping="true"] QTableView {{ border: 2px dashed {GOLD}; }}
QToolButton#importButton {{ padding: 5px 10px; }}
QLabel#importStatus {{ color: #374151; }}
QLabel#importDone {{ font-weight: 600; color: #03543f; }}
QTextBrowser#evidenceFields, QTextBrowser#importReport {{
    border: 1px solid #d9dee8; border-radius: 4px; padding: 4px;
}}
"""


def apply_style(app: QApplication) -> None:
    app.setStyle("Fusion")
    palette = app.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#f7f8fa"))
    palette.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor("#f8f9fb"))
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#dbe6fb"))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#111827"))
    app.setPalette(palette)
    font = app.font()
    if font.pointSize() < 10:
        font.setPointSize(10)
    font.setStyleHint(QFont.StyleHint.SansSerif)
    app.setFont(font)
    app.setStyleSheet(STYLESHEET)
