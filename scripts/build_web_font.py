"""Build the web font the pages fall back to on a machine without a Chinese font: the WenQuanYi Micro Hei face
of the TrueType collection the PDFs embed (lendpilot/core/static/core/fonts/wqy-microhei.ttc, Apache-2.0 or
GPL-3.0 with the font exception, see LICENSE-wqy-microhei.txt), as WOFF2 next to it. Browsers do not read
collections; the WOFF2 is committed, so this runs only when the collection changes:

    .venv/bin/python scripts/build_web_font.py
"""

from pathlib import Path

from fontTools.ttLib import TTCollection

FONTS = Path(__file__).resolve().parents[1] / "lendpilot" / "core" / "static" / "core" / "fonts"


def main() -> None:
    face = TTCollection(str(FONTS / "wqy-microhei.ttc")).fonts[0]  # 0: proportional, 1: the Mono face
    face.flavor = "woff2"
    face.save(str(FONTS / "wqy-microhei.woff2"))


if __name__ == "__main__":
    main()
