"""Bulk import of people and their cases from CSV or XLSX.

Every row is validated before anything is written; if any row is bad, every problem is
reported (row, column, reason) and nothing is imported. Columns are documented in
``import_template.csv`` beside this file.
"""
from __future__ import annotations

import csv
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from flask_babel import gettext as _

import sqlalchemy as sa

from victimcare.accounts.models import Agency
from victimcare.cases import operations
from victimcare.cases.models import Case, DocumentType, Gender, Victim
from victimcare.crypto import normalise
from victimcare.crypto.fields import bulk_row
from victimcare.crypto.models import DataKey
from victimcare.database import utcnow
from victimcare.extensions import db

COLUMNS = (
    "full_name", "other_names", "sex", "birth_date", "birth_year", "nationality", "ethnic_minority",
    "id_document_type", "id_number", "phone", "home_address", "province_code", "commune_code",
)
REQUIRED = ("full_name",)
TEMPLATE = Path(__file__).with_name("import_template.csv")
BATCH = 1000

_GENDERS = {
    "f": Gender.FEMININE, "female": Gender.FEMININE, "nu": Gender.FEMININE, "nữ": Gender.FEMININE,
    "m": Gender.MASCULINE, "male": Gender.MASCULINE, "nam": Gender.MASCULINE,
    "": Gender.UNKNOWN, "unknown": Gender.UNKNOWN, "khong ro": Gender.UNKNOWN, "không rõ": Gender.UNKNOWN,
} | {g.value.lower(): g for g in Gender}
_YES = {"yes", "y", "1", "true", "co", "có", "x"}
_NO = {"no", "n", "0", "false", "khong", "không", ""}


@dataclass(frozen=True)
class RowError:
    row: int  # as the user counts: the header is row 1
    column: str
    message: str

    def __str__(self) -> str:
        return _("row %(row)d, column %(column)s: %(message)s", row=self.row, column=self.column, message=self.message)


class ImportRefused(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} problem(s)")
        self.errors = errors


def read_rows(path: Path) -> Iterator[dict[str, str]]:
    """Rows as {column: text}, from CSV (UTF-8, with or without BOM) or XLSX (first sheet)."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [str(c or "").strip() for c in next(rows, [])]
        for values in rows:
            yield {h: _cell_text(v) for h, v in zip(header, values, strict=False) if h}
        workbook.close()
        return
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for record in csv.DictReader(handle):
            yield {(k or "").strip(): (v or "").strip() for k, v in record.items()}


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
    raise ValueError(_("not a date; write dd/mm/yyyy"))


def parse_row(raw: dict[str, str], today: date) -> tuple[dict, list[tuple[str, str]]]:
    """Validated victim data from one row, and the (column, message) problems found."""
    problems: list[tuple[str, str]] = []
    data: dict = {}

    def field(column: str, convert: Callable[[str], object], target: str | None = None) -> None:
        text = raw.get(column, "").strip()
        if not text:
            if column in REQUIRED:
                problems.append((column, _("this column is required")))
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
        if len(text) != 2 or not text.isalpha():
            raise ValueError(_("a two-letter country code (VN, CN, LA, KH…)"))
        return text.upper()

    def document_type(text: str) -> DocumentType:
        try:
            return DocumentType(text.strip().lower())
        except ValueError:
            raise ValueError(_("one of: %(values)s", values=", ".join(t.value for t in DocumentType))) from None

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
    field("province_code", text_max(10))
    field("commune_code", text_max(10))
    if "id_number" in data and "id_document_type" not in data:
        data["id_document_type"] = DocumentType.CITIZEN_ID
    if "id_number" in data and not normalise.id_number("x", data["id_number"]):
        problems.append(("id_number", _("no letters or digits")))
    return data, problems


def validate(path: Path, today: date) -> tuple[list[dict], list[RowError]]:
    rows, errors = [], []
    header_seen = False
    for number, raw in enumerate(read_rows(path), start=2):
        if not header_seen:
            unknown = sorted(set(raw) - set(COLUMNS))
            if unknown:
                errors.append(RowError(1, ", ".join(unknown), _("unknown column; see the import template")))
            if "full_name" not in raw:
                errors.append(RowError(1, "full_name", _("this column is required")))
            header_seen = True
        if not any(raw.values()):
            continue  # blank lines are not records
        data, problems = parse_row(raw, today)
        errors.extend(RowError(number, column, message) for column, message in problems)
        rows.append(data)
    if not header_seen:
        errors.append(RowError(1, "full_name", _("the file has no rows")))
    return rows, errors


def import_file(path: Path, agency: Agency, progress: Callable[[int], None] | None = None) -> int:
    """Validate everything, then create one case per row; raises ImportRefused with every problem."""
    rows, errors = validate(path, datetime.now().date())
    if errors:
        raise ImportRefused(errors)
    return insert_rows(rows, agency, progress)


def insert_rows(rows: list[dict], agency: Agency, progress: Callable[[int], None] | None = None) -> int:
    """Create one person and one case per validated row, in batches."""
    from victimcare.cases.path import stage_deadline

    vault = operations._vault()
    now = utcnow()
    deadline = stage_deadline("intake", now)
    for start in range(0, len(rows), BATCH):
        batch = rows[start:start + BATCH]
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
            cases.append(bulk_row(Case(
                id=uuid.uuid4(), reference=reference, victim_id=victim.id, owning_agency_id=agency.id,
                stage="intake", stage_started_at=now, stage_deadline=deadline, created_at=now,
            ), vault, dek))
        db.session.execute(sa.insert(DataKey.__table__), keys)
        db.session.execute(sa.insert(Victim.__table__), victims)
        db.session.execute(sa.insert(Case.__table__), cases)
        if progress:
            progress(len(batch))
    return len(rows)
