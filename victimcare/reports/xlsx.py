"""The periodic report as a workbook: a title sheet, then one sheet per indicator with its tables.

Numbers are numbers; a hidden count is the text "<10" on a grey fill, explained on the title sheet;
each sheet's header row is frozen. Built with openpyxl in write-only mode, so a large report streams.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from victimcare.reports.dashboard import Table

HIDDEN_FILL = PatternFill("solid", start_color="DDDDDD", end_color="DDDDDD")
BOLD = Font(bold=True)


def workbook(
    title_lines: list[str],
    sheets: list[tuple[str, str, list[tuple[str, Table]], list[str]]],
    value_label: Callable[[str, str], str],
    headings: tuple[str, str, str],
    total_label: str,
) -> bytes:
    """``sheets``: (sheet name, indicator title, [(breakdown title, table)], notes); returns the .xlsx bytes."""
    book = Workbook(write_only=True)
    front = book.create_sheet(title_lines[0][:31] if title_lines else "Report")
    for index, line in enumerate(title_lines):
        front.append([_cell(front, line, bold=index == 0)])
    for name, title, tables, notes in sheets:
        sheet = book.create_sheet(name[:31])
        sheet.freeze_panes = "A3"
        sheet.append([_cell(sheet, title, bold=True)])
        sheet.append([_cell(sheet, h, bold=True) for h in headings])
        for caption, table in tables:
            sheet.append([])
            sheet.append([_cell(sheet, caption, bold=True)])
            for row in table.rows:
                sheet.append(
                    [
                        value_label(table.by, row.key),
                        _count(sheet, row.count),
                        row.percent if row.percent is not None else None,
                    ]
                )
            if table.additive:
                sheet.append([_cell(sheet, total_label, bold=True), _count(sheet, table.total)])
        if notes:
            sheet.append([])
        for note in notes:
            sheet.append([note])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(sheet, value, bold=False):
    cell = WriteOnlyCell(sheet, value=value)
    if bold:
        cell.font = BOLD
    return cell


def _count(sheet, count):
    if count.hidden:
        cell = WriteOnlyCell(sheet, value=str(count))
        cell.fill = HIDDEN_FILL
        return cell
    return WriteOnlyCell(sheet, value=count.value)
