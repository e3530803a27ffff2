"""The Chinese font every PDF document of LendPilot embeds (contracts, reports).

The WenQuanYi Micro Hei font ships inside the project (`core/static/core/fonts`, Apache-2.0, licence text
beside it), so a document renders the same on every server and the reader needs no Chinese font of
their own: reportlab embeds the subset of glyphs a document uses. Latin letters and digits are in the
same font, so one font serves a whole contract.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent / "static" / "core" / "fonts"
CJK_FONT_FILE = FONT_DIR / "wqy-microhei.ttc"
CJK_FONT = "WenQuanYiMicroHei"


@cache
def cjk_font() -> str:
    """The registered name of the embedded CJK font, for reportlab styles and canvases (registered once)."""
    pdfmetrics.registerFont(TTFont(CJK_FONT, str(CJK_FONT_FILE), subfontIndex=0))
    return CJK_FONT
