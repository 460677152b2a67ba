"""The fonts of the rendered documents: DejaVu, shipped in ``resources/fonts/``.

reportlab's 14 standard fonts cover Latin-1 only, and parties' names are often Cyrillic or
accented; DejaVu covers both and is embedded (as TTF subsets), so a document reads the same
on any machine and in twenty years' time.
"""

from __future__ import annotations

from pathlib import Path
from threading import Lock

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent.parent / "resources" / "fonts"

SANS = "DejaVuSans"
SANS_BOLD = "DejaVuSans-Bold"
SANS_ITALIC = "DejaVuSans-Oblique"
SANS_BOLD_ITALIC = "DejaVuSans-BoldOblique"
MONO = "DejaVuSansMono"

_FILES = {
    SANS: "DejaVuSans.ttf",
    SANS_BOLD: "DejaVuSans-Bold.ttf",
    SANS_ITALIC: "DejaVuSans-Oblique.ttf",
    SANS_BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
    MONO: "DejaVuSansMono.ttf",
}

_lock = Lock()
_registered = False


def register_fonts() -> None:
    """Register the fonts and the DejaVuSans family once per process.

    The family mapping is what lets ``<b>`` and ``<i>`` in a Paragraph pick the bold and
    oblique faces; registering twice is harmless but re-reads the files, so it is skipped.
    """
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        registered = set(pdfmetrics.getRegisteredFontNames())
        for name, file in _FILES.items():
            if name not in registered:
                pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))
        pdfmetrics.registerFontFamily(
            SANS, normal=SANS, bold=SANS_BOLD, italic=SANS_ITALIC, boldItalic=SANS_BOLD_ITALIC)
        # The mono face has no bold or oblique here: map them to itself so markup cannot fail.
        for bold in (0, 1):
            for italic in (0, 1):
                addMapping(MONO, bold, italic, MONO)
        _registered = True
