"""The periodic report as a PDF: title block, method and protection notes, then each indicator's tables.

fpdf2 draws it with Noto Sans from the ``fontpkg-noto-sans`` package (a variable font at two weights),
so Vietnamese diacritics render and nothing is downloaded at run time.
"""
from __future__ import annotations

from collections.abc import Callable

import fontpkg_noto_sans
from fpdf import FPDF

from victimcare.reports.dashboard import Table

FONT_FILE = fontpkg_noto_sans.ROOT / "files" / "NotoSans[wdth,wght].ttf"
FAMILY = "Noto"


def document(title_lines: list[str], sheets: list[tuple[str, str, list[tuple[str, Table]]]],
             value_label: Callable[[str, str], str], headings: tuple[str, str, str], total_label: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_font(FAMILY, "", FONT_FILE, variations={"wght": 400})
    pdf.add_font(FAMILY, "B", FONT_FILE, variations={"wght": 700})
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 14)
    pdf.multi_cell(0, 8, title_lines[0], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 10)
    for line in title_lines[1:]:
        pdf.multi_cell(0, 5.5, line, new_x="LMARGIN", new_y="NEXT")
    for _code, title, tables in sheets:
        pdf.ln(4)
        pdf.set_font(FAMILY, "B", 12)
        pdf.multi_cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
        for caption, table in tables:
            _table(pdf, caption, table, value_label, headings, total_label)
    return bytes(pdf.output())


def _table(pdf: FPDF, caption: str, table: Table, value_label, headings, total_label) -> None:
    pdf.set_font(FAMILY, "B", 9)
    pdf.cell(0, 6, caption, new_x="LMARGIN", new_y="NEXT")
    with pdf.table(col_widths=(110, 35, 25), text_align=("LEFT", "RIGHT", "RIGHT"), line_height=5,
                   first_row_as_headings=True) as grid:
        pdf.set_font(FAMILY, "", 9)
        grid.row(list(headings))
        for row in table.rows:
            grid.row([value_label(table.by, row.key), str(row.count),
                      "—" if row.percent is None else f"{row.percent:g}"])
        grid.row([total_label, str(table.total), ""])
