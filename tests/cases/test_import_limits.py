"""`flask cases import` refuses what it cannot read safely, each with the row-and-column message the
import gives for a bad value, and never a traceback (issue 13 item 18)."""

import time
import tracemalloc
import zipfile
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from tests.helpers import db_session
from victimcare.cases import importing
from victimcare.cases.importing import COLUMNS
from victimcare.cases.models import Case

ROW = [
    "Lò Thị Xuyến",
    "",
    "F",
    "03/02/2001",
    "",
    "VN",
    "có",
    "citizen_id",
    "017399887766",
    "0978123456",
    "Bản Khuổi Phạ",
    "15",
    "02647",
]


def _import(app, path):
    return app.test_cli_runner().invoke(args=["cases", "import", str(path), "--agency", "police-demo"])


def _cases(app) -> int:
    with db_session(app) as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Case))


def _refused(app, path, *expected: str):
    result = _import(app, path)
    assert result.exit_code == 1, result.output
    assert (
        "Traceback" not in result.output
        and result.exception is None
        or isinstance(result.exception, SystemExit)
    )
    assert "nothing was imported" in result.output
    for text in expected:
        assert text in result.output, result.output
    assert _cases(app) == 0
    return result.output


def _text_file(tmp_path, text: str, encoding: str, name="people.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _xlsx(tmp_path, rows, name="people.xlsx") -> Path:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


# -- encodings --------------------------------------------------------------------------------


def test_a_latin1_csv_is_refused_at_its_first_undecodable_cell_naming_the_encodings_accepted(
    seeded, tmp_path
):
    text = ",".join(COLUMNS) + "\nJosé Müller,,M,,1990,DE,,,,,,15,\n"
    _refused(seeded, _text_file(tmp_path, text, "latin-1"), "dòng 2, cột A", "UTF-8, UTF-16")


def test_a_windows_1258_csv_is_refused_rather_than_guessed(seeded, tmp_path):
    import unicodedata

    def cp1258(
        char: str,
    ) -> bytes:  # what Excel writes: precomposed where the code page has it, else combining
        try:
            return char.encode("cp1258")
        except UnicodeEncodeError:
            return unicodedata.normalize("NFD", char).encode("cp1258")

    text = ",".join(COLUMNS) + "\nLò Văn Hải,,M,,1990,VN,,,,,,15,\n"
    path = tmp_path / "people.csv"
    path.write_bytes(b"".join(cp1258(c) for c in text))
    _refused(seeded, path, "dòng 2, cột A")


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_utf16_with_a_bom_and_excels_delimiters_import(seeded, tmp_path, delimiter):
    text = delimiter.join(COLUMNS) + "\n" + delimiter.join(ROW) + "\n"
    result = _import(seeded, _text_file(tmp_path, text, "utf-16"))
    assert result.exit_code == 0, result.output
    searched = seeded.test_cli_runner().invoke(args=["cases", "search", "--name", "lo thi xuyen"])
    assert "Lò Thị Xuyến" in searched.output


def test_utf8_with_a_bom_and_semicolons_imports(seeded, tmp_path):
    text = ";".join(COLUMNS) + "\n" + ";".join(ROW) + "\n"
    assert _import(seeded, _text_file(tmp_path, text, "utf-8-sig")).exit_code == 0
    assert _cases(seeded) == 1


def test_utf16_without_a_bom_is_refused_with_a_hint(seeded, tmp_path):
    text = ",".join(COLUMNS) + "\n" + ",".join(ROW) + "\n"
    _refused(seeded, _text_file(tmp_path, text, "utf-16-le"), "UTF-16")


def test_a_nul_or_control_character_in_a_cell_is_refused_with_its_row_and_column(seeded, tmp_path):
    rows = [
        ",".join(COLUMNS),
        ",".join(ROW),
        ",".join(["Ai\x00Đó", *ROW[1:]]),
        ",".join([*ROW[:10], "Bản\x1bX", *ROW[11:]]),
    ]
    _refused(
        seeded,
        _text_file(tmp_path, "\n".join(rows) + "\n", "utf-8"),
        "dòng 3, cột full_name",
        "dòng 4, cột home_address",
    )


# -- shape and formulas -------------------------------------------------------------------------


def test_duplicate_headers_are_refused_instead_of_the_second_winning(seeded, tmp_path):
    header = [*COLUMNS, "full_name"]
    _refused(
        seeded,
        _text_file(tmp_path, ",".join(header) + "\n" + ",".join([*ROW, "Người Khác"]) + "\n", "utf-8"),
        "dòng 1, cột full_name",
        "A",
        "N",
    )
    _refused(seeded, _xlsx(tmp_path, [header, [*ROW, "Người Khác"]]), "dòng 1, cột full_name")


def test_formula_cells_are_refused_with_their_row_and_column(seeded, tmp_path):
    path = _xlsx(
        tmp_path, [list(COLUMNS), ROW, ["=A2", *ROW[1:]], [*ROW[:9], '=CONCAT("09","12")', *ROW[10:]]]
    )
    _refused(seeded, path, "dòng 3, cột full_name", "dòng 4, cột phone", "công thức")
    csv_path = _text_file(
        tmp_path, ",".join(COLUMNS) + "\n" + ",".join(['=HYPERLINK("x")', *ROW[1:]]) + "\n", "utf-8"
    )
    _refused(seeded, csv_path, "dòng 2, cột full_name")


def test_more_rows_or_columns_than_the_limits_are_refused(seeded, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    lines = [",".join(COLUMNS)] + [",".join(ROW)] * 4
    _refused(seeded, _text_file(tmp_path, "\n".join(lines) + "\n", "utf-8"), "dòng 5", "3")
    _refused(seeded, _xlsx(tmp_path, [list(COLUMNS)] + [ROW] * 4), "dòng 5")
    wide = [list(COLUMNS), [*ROW, *[""] * 37, "x"]]  # a value in column 51; columns past it are never read
    _refused(seeded, _xlsx(tmp_path, wide, "wide.xlsx"), "dòng 2, cột AY")
    _refused(
        seeded,
        _text_file(tmp_path, ",".join(COLUMNS) + "\n" + ",".join([*ROW, *[""] * 37, "x"]) + "\n", "utf-8"),
        "dòng 2, cột AY",
    )


def _with_sheet_xml(path: Path, change) -> Path:
    """Rewrite the first sheet's XML inside an .xlsx (what a hostile or broken producer may write)."""
    out = path.with_name("changed-" + path.name)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            target.writestr(item, data)
    return out


def test_an_xlsx_declaring_the_whole_sheet_imports_its_three_rows_at_once(seeded, tmp_path):
    """As Excel writes a sheet where someone formatted a whole column: the declared range and one
    styled empty cell in the very last row and column."""
    import re

    def whole_sheet(xml: bytes) -> bytes:
        xml = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:XFD1048576"', xml)
        return xml.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>')

    path = _with_sheet_xml(_xlsx(tmp_path, [list(COLUMNS), ROW, ROW, ROW]), whole_sheet)
    assert b"A1:XFD1048576" in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    started = time.monotonic()
    result = _import(seeded, path)
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 10  # was over 300 s
    assert _cases(seeded) == 3


def test_a_shared_strings_bomb_is_refused_before_it_is_inflated(seeded, tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    with (
        zipfile.ZipFile(_xlsx(tmp_path, [list(COLUMNS), ROW])) as source,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        strings = (
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + b"<si><t>a</t></si>" * 2_000_000
            + b"</sst>"
        )  # 34 MB that packs into ~70 kB
        target.writestr("xl/sharedStrings.xml", strings)
    assert bomb.stat().st_size < 500_000
    tracemalloc.start()
    try:
        output = _refused(seeded, bomb, "dòng 1")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20, peak  # the 411 kB bomb of the review took 517 MB
    assert "100" in output


def test_an_xlsx_unpacking_to_more_than_the_limits_is_refused(seeded, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "MAX_XLSX_UNCOMPRESSED", 1000)
    _refused(seeded, _xlsx(tmp_path, [list(COLUMNS), ROW]), "dòng 1", "MB")
    monkeypatch.setattr(importing, "MAX_XLSX_UNCOMPRESSED", 2**30)
    monkeypatch.setattr(importing, "MAX_XLSX_SHARED_STRINGS", 10)  # the part openpyxl holds whole in memory
    strings = tmp_path / "strings.xlsx"
    with (
        zipfile.ZipFile(_xlsx(tmp_path, [list(COLUMNS), ROW])) as source,
        zipfile.ZipFile(strings, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr(
            "xl/sharedStrings.xml",
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b"<si><t>Lo Thi Xuyen</t></si></sst>",
        )
    _refused(seeded, strings, "dòng 1", "MB")


def test_a_file_that_is_not_a_spreadsheet_is_refused(seeded, tmp_path):
    path = tmp_path / "people.xlsx"
    path.write_bytes(b"not a zip at all")
    _refused(seeded, path, "dòng 1", ".xlsx")


# -- memory -------------------------------------------------------------------------------------


def test_checking_a_file_holds_one_row_at_a_time_not_the_file(seeded, tmp_path):
    """The bound for 200,000 rows is measured by bench/importing.py (README); here: memory does not grow
    with the number of rows (ten times the rows, well under twice the peak)."""

    def peak(rows: int) -> int:
        path = _text_file(
            tmp_path, ",".join(COLUMNS) + "\n" + (",".join(ROW) + "\n") * rows, "utf-8", f"{rows}.csv"
        )
        with seeded.app_context():
            tracemalloc.start()
            try:
                count, errors = importing.validate(path, date(2026, 12, 1))
                return tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
                assert (count, errors) == (rows, [])

    small, large = peak(500), peak(5000)
    assert large < 1.5 * small + 256 * 1024, (small, large)
