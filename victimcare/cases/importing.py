"""Bulk import of people and their cases from CSV or XLSX.

Every row is validated before anything is written; if any row is bad, every problem is
reported (row, column, reason) and nothing is imported. Columns are documented in
``import_template.csv`` beside this file.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _

from victimcare import crypto, places
from victimcare.accounts.models import Agency
from victimcare.cases import operations
from victimcare.cases.models import Case, DocumentType, Gender, Victim
from victimcare.crypto import normalise
from victimcare.crypto.fields import bulk_row
from victimcare.crypto.models import DataKey
from victimcare.database import utcnow
from victimcare.extensions import db
from victimcare.forms import has_control_characters, invalid_date

COLUMNS = (
    "full_name",
    "other_names",
    "sex",
    "birth_date",
    "birth_year",
    "nationality",
    "ethnic_minority",
    "id_document_type",
    "id_number",
    "phone",
    "home_address",
    "province_code",
    "commune_code",
)
REQUIRED = ("full_name",)
TEMPLATE = Path(__file__).with_name("import_template.csv")
BATCH = 1000
# Limits that keep a hostile or mistaken file from taking the server's memory or hours of CPU
# (README: "Import"). 200,000 rows is a whole province's caseload many times over.
MAX_ROWS = 200_000
MAX_COLUMNS = 50
EXCEL_MAX_ROWS = 1_048_576  # a row numbered past Excel's last comes from a hostile file
MAX_XLSX_UNCOMPRESSED = 512 * 2**20
MAX_XLSX_RATIO = 100
MAX_XLSX_SHARED_STRINGS = 64 * 2**20  # ~2 million short strings: ~150 MB once read
MAX_PROBLEMS = 1000

_GENDERS = {
    "f": Gender.FEMININE,
    "female": Gender.FEMININE,
    "nu": Gender.FEMININE,
    "nữ": Gender.FEMININE,
    "m": Gender.MASCULINE,
    "male": Gender.MASCULINE,
    "nam": Gender.MASCULINE,
    "": Gender.UNKNOWN,
    "unknown": Gender.UNKNOWN,
    "khong ro": Gender.UNKNOWN,
    "không rõ": Gender.UNKNOWN,
} | {g.value.lower(): g for g in Gender}
_YES = {"yes", "y", "1", "true", "co", "có", "x"}
_NO = {"no", "n", "0", "false", "khong", "không", ""}


@dataclass(frozen=True)
class RowError:
    row: int  # as the user counts: the header is row 1
    column: str
    message: str

    def __str__(self) -> str:
        return _(
            "row %(row)d, column %(column)s: %(message)s",
            row=self.row,
            column=self.column,
            message=self.message,
        )


class ImportRefused(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} problem(s)")
        self.errors = errors


class FileRefused(Exception):
    """The file as a whole cannot be read (encoding, size, shape): reading stops at the first such problem."""

    def __init__(self, error: RowError):
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True, slots=True)
class SheetRow:
    number: int  # as the user counts: the header is row 1
    values: dict[str, str]
    problems: list[tuple[str, str]]  # (column, message) found while reading the cells


class _Formula:
    """A cell holding a formula: its value is whatever the spreadsheet last computed, if anything."""


FORMULA = _Formula()


def open_sheet(path: Path) -> tuple[list[str], Iterator[SheetRow]]:
    """The header and the data rows under it, from CSV (UTF-8 or UTF-16) or XLSX (first sheet).

    Raises FileRefused (here or while iterating) for a file that cannot be read as a whole; a cell
    that cannot be used (a formula) is a problem of its row. Empty header cells and what lies
    under them are ignored.
    """
    lines = _xlsx_lines(path) if path.suffix.lower() == ".xlsx" else _csv_lines(path)
    _, first = next(lines, (1, []))
    header = _header(first)
    return header, _rows(header, lines)


def _rows(header: list[str], lines: Iterator[tuple[int, list]]) -> Iterator[SheetRow]:
    count = 0
    for number, cells in lines:
        if not cells:
            continue  # blank lines are not records, and do not count
        count += 1
        if count > MAX_ROWS:
            raise FileRefused(
                RowError(number, "—", _("more than %(n)s rows; split the file", n=f"{MAX_ROWS:,}"))
            )
        values, problems = {}, []
        for index, cell in enumerate(cells):
            name = header[index] if index < len(header) else ""
            if cell is FORMULA:
                problems.append((name or _column_letter(index), _("a formula; type the value itself")))
            elif name:
                values[name] = cell
        yield SheetRow(number, values, problems)


def _header(cells: list) -> list[str]:
    names = ["" if c is FORMULA else c.strip() for c in cells]
    if any("\x00" in name for name in names):
        raise FileRefused(
            RowError(
                1,
                "—",
                _(
                    "the file contains NUL bytes: it is probably UTF-16 without a "
                    "byte-order mark. Save it as CSV UTF-8 or as .xlsx"
                ),
            )
        )
    first_seen: dict[str, int] = {}
    for index, name in enumerate(names):
        if name and name in first_seen:
            raise FileRefused(
                RowError(
                    1,
                    name,
                    _(
                        "this column appears twice (columns %(a)s and %(b)s); keep one",
                        a=_column_letter(first_seen[name]),
                        b=_column_letter(index),
                    ),
                )
            )
        first_seen.setdefault(name, index)
    return names


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _trimmed(cells: list, number: int) -> list:
    """The row without its trailing empty cells; more than MAX_COLUMNS used cells refuse the file."""
    end = len(cells)
    while end and cells[end - 1] in ("", None):
        end -= 1
    if end > MAX_COLUMNS:
        raise FileRefused(
            RowError(
                number,
                _column_letter(MAX_COLUMNS),
                _("more than %(n)d columns; the import has %(k)d", n=MAX_COLUMNS, k=len(COLUMNS)),
            )
        )
    return cells[:end]


# -- CSV ----------------------------------------------------------------------------------------

_ENCODINGS_ACCEPTED = "UTF-8, UTF-16"


def _csv_lines(path: Path) -> Iterator[tuple[int, list]]:
    """CSV cells as text. UTF-8 (with or without BOM) and UTF-16 with a BOM (Excel's "CSV UTF-8" and
    "Unicode text") are read; anything else is refused at its first undecodable cell, never guessed:
    Windows-1258 and Latin-1 bytes both decode "successfully" as each other, into wrong names."""
    with path.open("rb") as raw:
        head = raw.read(4)
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
    with path.open(newline="", encoding=encoding, errors="surrogateescape") as handle:
        try:
            first = handle.readline(2**16)  # a header is a few hundred characters; no need to read more
            reader = csv.reader(itertools.chain([first], handle), delimiter=_delimiter(first))
            for number, cells in enumerate(reader, start=1):
                yield (
                    number,
                    [_csv_cell(text, number, index) for index, text in enumerate(_trimmed(cells, number))],
                )
        except UnicodeDecodeError:  # UTF-16 cut in the middle of a character
            raise FileRefused(RowError(reader.line_num + 1, "—", _not_text())) from None
        except csv.Error as error:
            raise FileRefused(
                RowError(reader.line_num, "—", _("not a readable CSV file (%(error)s)", error=str(error)))
            ) from None


def _delimiter(header_line: str) -> str:
    """Comma, semicolon (Excel where the decimal mark is a comma, as in Vietnam) or tab (Excel's
    Unicode text): whichever splits the header into the most known columns."""
    return max(",;\t", key=lambda d: sum(name.strip().strip('"') in COLUMNS for name in header_line.split(d)))


def _csv_cell(text: str, number: int, index: int):
    if any(
        "\udc80" <= char <= "\udcff" for char in text
    ):  # a byte that is not UTF-8, kept by surrogateescape
        raise FileRefused(RowError(number, _column_letter(index), _not_text()))
    if text.lstrip().startswith("="):
        return FORMULA
    return text.strip()


def _not_text() -> str:
    return _(
        "this text is not in a known encoding (accepted: %(encodings)s). In Excel, save as "
        "\u201cCSV UTF-8\u201d or as .xlsx",
        encodings=_ENCODINGS_ACCEPTED,
    )


# -- XLSX ---------------------------------------------------------------------------------------


def _xlsx_lines(path: Path) -> Iterator[tuple[int, list]]:
    """XLSX cells as text, streamed (read-only mode). The sheet's declared size is ignored (a file
    may declare A1:XFD1048576 and hold three rows, plus one formatted cell in its last row): rows
    are counted as they come, empty ones skipped in constant time, and no column past
    MAX_COLUMNS + 1 is read (a used one there refuses the file)."""
    from openpyxl import load_workbook

    _check_archive(path)
    workbook = load_workbook(path, read_only=True, data_only=False)
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        last_empty = None
        for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS + 1), start=1):
            if cells is last_empty:
                continue  # openpyxl yields one shared tuple for each row the sheet leaves out
            if number > EXCEL_MAX_ROWS:
                raise FileRefused(
                    RowError(number, "—", _("more than %(n)s rows; split the file", n=f"{EXCEL_MAX_ROWS:,}"))
                )
            row = _trimmed([_xlsx_cell(cell) for cell in cells], number)
            if not row:
                last_empty = cells
            yield number, row
    finally:
        workbook.close()


def _xlsx_cell(cell):
    if cell.data_type == "f":
        return FORMULA
    return _cell_text(cell.value)


def _check_archive(path: Path) -> None:
    """Refuse a zip bomb before openpyxl inflates it: the members' total size and each one's
    compression ratio are read from the archive's directory, which costs nothing. The shared
    strings are the one part openpyxl holds whole in memory, so they have a limit of their own."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        raise FileRefused(
            RowError(1, "—", _("not an .xlsx file (save it again from the spreadsheet)"))
        ) from None
    total = sum(m.file_size for m in members)
    if total > MAX_XLSX_UNCOMPRESSED:
        raise FileRefused(
            RowError(
                1,
                "—",
                _(
                    "the spreadsheet unpacks to %(size)d MB, more than the %(limit)d MB "
                    "accepted; split the file",
                    size=total // 2**20,
                    limit=MAX_XLSX_UNCOMPRESSED // 2**20,
                ),
            )
        )
    for member in members:
        if member.filename.startswith("xl/worksheets/"):
            continue  # streamed: it costs time within the total above, never memory
        if member.file_size > 2**20 and member.file_size > MAX_XLSX_RATIO * max(member.compress_size, 1):
            raise FileRefused(
                RowError(
                    1,
                    "—",
                    _(
                        "the spreadsheet is packed %(ratio)d times smaller than its "
                        "contents (at most %(limit)d accepted), as only a malicious file "
                        "is; it was not opened",
                        limit=MAX_XLSX_RATIO,
                        ratio=member.file_size // max(member.compress_size, 1),
                    ),
                )
            )
        if member.filename == "xl/sharedStrings.xml" and member.file_size > MAX_XLSX_SHARED_STRINGS:
            raise FileRefused(
                RowError(
                    1,
                    "—",
                    _(
                        "the spreadsheet unpacks to %(size)d MB, more than the %(limit)d MB "
                        "accepted; split the file",
                        size=member.file_size // 2**20,
                        limit=MAX_XLSX_SHARED_STRINGS // 2**20,
                    ),
                )
            )


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _parse_date(text: str) -> date:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(str(invalid_date()))


def _resolve_commune(data: dict, problems: list[tuple[str, str]]) -> None:
    """The commune's code, read within the row's province (names repeat across provinces); a commune
    code alone names its province too."""
    text = data.pop("commune_code", None)
    if not text:
        return
    if any(column == "province_code" for column, _message in problems):
        return  # the province's own problem says it all
    province = data.get("province_code")
    code = places.find_commune(text, province)
    if code is None:
        problems.append(
            (
                "commune_code",
                _(
                    "not a commune or ward of %(province)s: write its code or its name",
                    province=places.province_name(province),
                )
                if province
                else _("not a commune code; to give a commune by name, give its province too"),
            )
        )
        return
    data["commune_code"] = code
    data.setdefault("province_code", places.commune_province(code))


def parse_row(raw: dict[str, str], today: date) -> tuple[dict, list[tuple[str, str]]]:  # noqa: C901 (one check per column, read top to bottom)
    """Validated victim data from one row, and the (column, message) problems found."""
    problems: list[tuple[str, str]] = []
    data: dict = {}

    def field(column: str, convert: Callable[[str], object], target: str | None = None) -> None:
        text = raw.get(column, "").strip()
        if not text:
            if column in REQUIRED:
                problems.append((column, _("this column is required")))
            return
        if has_control_characters(
            text, multiline=True
        ):  # PostgreSQL cannot store NUL; no field wants the rest
            problems.append((column, _("contains invisible control characters (such as NUL)")))
            return
        try:
            data[target or column] = convert(text)
        except ValueError as error:
            problems.append((column, str(error)))

    def text_max(n: int) -> Callable[[str], str]:
        def convert(text: str) -> str:
            if len(text) > n:
                raise ValueError(_("longer than %(n)d characters", n=n))
            return text

        return convert

    def gender(text: str) -> Gender:
        try:
            return _GENDERS[text.strip().lower()]
        except KeyError:
            raise ValueError(_("use F/M (nữ/nam) or leave empty")) from None

    def yes_no(text: str) -> bool:
        lowered = text.lower()
        if lowered in _YES:
            return True
        if lowered in _NO:
            return False
        raise ValueError(_("use yes/no (có/không)"))

    def birth_date(text: str) -> date:
        day = _parse_date(text)
        if not date(1900, 1, 1) <= day <= today:
            raise ValueError(_("date of birth must be between 01/01/1900 and today"))
        return day

    def birth_year(text: str) -> int:
        if not text.isdigit() or not 1900 <= int(text) <= today.year:
            raise ValueError(_("a year between 1900 and this year"))
        return int(text)

    def nationality(text: str) -> str:
        code = places.find_country(text)
        if code is None:
            raise ValueError(
                _("not a country: write its code or its name (VN or Việt Nam, CN or Trung Quốc)")
            )
        return code

    def province(text: str) -> str:
        code = places.find_province(text)
        if code is None:
            raise ValueError(
                _("not one of the 34 provinces of 2025: write its code or its name (15 or Lào Cai)")
            )
        return code

    def document_type(text: str) -> DocumentType:
        try:
            return DocumentType(text.strip().lower())
        except ValueError:
            raise ValueError(
                _("one of: %(values)s", values=", ".join(t.value for t in DocumentType))
            ) from None

    def phone(text: str) -> str:
        number = normalise.phone(text)
        if not number:
            raise ValueError(_("not a phone number"))
        return number

    field("full_name", text_max(200))
    field("other_names", text_max(200))
    field("sex", gender, "gender")
    field("birth_date", birth_date, "date_of_birth")
    field("birth_year", birth_year)
    field("nationality", nationality)
    field("ethnic_minority", yes_no, "is_ethnic_minority")
    field("id_document_type", document_type)
    field("id_number", text_max(40))
    field("phone", phone)
    field("home_address", text_max(500))
    field("province_code", province)
    field("commune_code", text_max(100))
    _resolve_commune(data, problems)
    if "id_number" in data and "id_document_type" not in data:
        data["id_document_type"] = DocumentType.CITIZEN_ID
    if "id_number" in data and not normalise.id_number("x", data["id_number"]):
        problems.append(("id_number", _("no letters or digits")))
    return data, problems


def validate(path: Path, today: date) -> tuple[int, list[RowError]]:
    """How many rows the file holds and every problem found; nothing is kept in memory but the count."""
    errors: list[RowError] = []
    count = sum(1 for _ in checked_rows(path, today, errors))
    return count, errors


def checked_rows(path: Path, today: date, errors: list[RowError]) -> Iterator[dict]:
    """The victim data of every good row, streamed; problems are appended to ``errors`` (at most
    MAX_PROBLEMS: a file that wrong needs fixing before the rest of its list helps anyone)."""
    try:
        header, rows = open_sheet(path)
        unknown = sorted(set(filter(None, header)) - set(COLUMNS))
        if unknown:
            errors.append(RowError(1, ", ".join(unknown), _("unknown column; see the import template")))
        if "full_name" not in header:
            errors.append(RowError(1, "full_name", _("this column is required")))
        seen = False
        for row in rows:
            if not any(row.values.values()) and not row.problems:
                continue  # blank lines are not records
            seen = True
            data, problems = parse_row(row.values, today)
            unreadable = {column for column, _message in row.problems}  # "required" would only repeat it
            problems = [*row.problems, *((c, m) for c, m in problems if c not in unreadable)]
            errors.extend(RowError(row.number, column, message) for column, message in problems)
            if len(errors) > MAX_PROBLEMS:
                errors.append(
                    RowError(row.number, "—", _("more than %(n)d problems; fix these first", n=MAX_PROBLEMS))
                )
                return
            if not errors:
                yield data
        if not seen and not errors:
            errors.append(RowError(1, "full_name", _("the file has no rows")))
    except FileRefused as refused:
        errors.append(refused.error)


def import_file(path: Path, agency: Agency, progress: Callable[[int], None] | None = None) -> int:
    """Create one case per row, all or nothing; raises ImportRefused with every problem.

    One pass: rows are inserted batch by batch as they pass the checks, so memory holds one batch,
    not the file. From the first problem on nothing more is inserted, but every row is still
    checked, so the list of problems is complete; the caller then rolls the transaction back.
    """
    errors: list[RowError] = []
    count = insert_rows(checked_rows(path, datetime.now().date(), errors), agency, progress)
    if errors:
        raise ImportRefused(errors)
    return count


def insert_rows(rows: Iterable[dict], agency: Agency, progress: Callable[[int], None] | None = None) -> int:
    """Create one person and one case per validated row, in batches."""
    from victimcare.cases.path import stage_deadline

    vault = crypto.vault()
    now = utcnow()
    deadline = stage_deadline("intake", now)
    rows, count = iter(rows), 0
    while batch := list(itertools.islice(rows, BATCH)):
        count += len(batch)
        references = operations.allocate_references(len(batch))
        victims, keys, cases = [], [], []
        for data, reference in zip(batch, references, strict=True):
            # Same objects and sealing as intake, inserted with Core executemany: the ORM's
            # per-object flush would cost several times the cryptography.
            victim = operations.new_victim(data)
            victim.id = uuid.uuid4()
            key_row, dek = vault.new_data_key(victim.id)
            keys.append(key_row)
            victims.append(bulk_row(victim, vault, dek))
            cases.append(
                bulk_row(
                    Case(
                        id=uuid.uuid4(),
                        reference=reference,
                        victim_id=victim.id,
                        owning_agency_id=agency.id,
                        stage="intake",
                        stage_started_at=now,
                        stage_deadline=deadline,
                        created_at=now,
                    ),
                    vault,
                    dek,
                )
            )
        db.session.execute(sa.insert(DataKey.__table__), keys)
        db.session.execute(sa.insert(Victim.__table__), victims)
        db.session.execute(sa.insert(Case.__table__), cases)
        if progress:
            progress(len(batch))
    return count
