"""The periodic report as a PDF: title block, method and protection notes, then each indicator's tables.

fpdf2 draws it with Noto Sans from the ``fontpkg-noto-sans`` package, so Vietnamese diacritics render
and nothing is downloaded at run time. The package ships a variable font; its default (regular)
outlines are used as they are, because instancing a bold weight with fontTools takes seconds per
document; headings stand out by size instead.
"""

from __future__ import annotations

from collections.abc import Callable

import fontpkg_noto_sans
from fpdf import FPDF

from victimcare.reports.dashboard import Table

FONT_FILE = fontpkg_noto_sans.ROOT / "files" / "NotoSans[wdth,wght].ttf"
FAMILY = "Noto"


def document(
    title_lines: list[str],
    sheets: list[tuple[str, str, list[tuple[str, Table]], list[str]]],
    value_label: Callable[[str, str], str],
    headings: tuple[str, str, str],
    total_label: str,
) -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_font(FAMILY, "", FONT_FILE)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font(FAMILY, "", 15)
    pdf.multi_cell(0, 8, title_lines[0], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 10)
    for line in title_lines[1:]:
        pdf.multi_cell(0, 5.5, line, new_x="LMARGIN", new_y="NEXT")
    for _code, title, tables, notes in sheets:
        pdf.ln(4)
        pdf.set_font(FAMILY, "", 12.5)
        pdf.multi_cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
        if notes:
            pdf.set_font(FAMILY, "", 9)
            for note in notes:
                pdf.multi_cell(0, 5, note, new_x="LMARGIN", new_y="NEXT")
        for caption, table in tables:
            _table(pdf, caption, table, value_label, headings, total_label)
    return bytes(pdf.output())


WIDTHS = (110, 35, 25)
LINE = 5


def _table(pdf: FPDF, caption: str, table: Table, value_label, headings, total_label) -> None:
    """One table drawn cell by cell (fpdf2's table layout costs ~100 ms a table; cells a few ms)."""
    if pdf.will_page_break(LINE * (len(table.rows) + 4)):
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font(FAMILY, "", 9.5)
    pdf.cell(0, 6, caption, new_x="LMARGIN", new_y="NEXT")
    _row(pdf, headings, border="B")
    pdf.set_font(FAMILY, "", 9)
    for row in table.rows:
        _row(
            pdf,
            (
                value_label(table.by, row.key),
                str(row.count),
                "—" if row.percent is None else f"{row.percent:g}",
            ),
        )
    pdf.set_font(FAMILY, "", 9.5)
    if table.additive:
        _row(pdf, (total_label, str(table.total), ""), border="T")


def _row(pdf: FPDF, texts, border="") -> None:
    for index, (text, width) in enumerate(zip(texts, WIDTHS, strict=True)):
        last = index == len(WIDTHS) - 1
        pdf.cell(
            width,
            LINE,
            text,
            border=border,
            align="L" if index == 0 else "R",
            new_x="LMARGIN" if last else "RIGHT",
            new_y="NEXT" if last else "TOP",
        )
