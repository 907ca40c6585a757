"""`flask cases import`: all or nothing, every bad row named, and no plaintext at rest or in logs."""

import logging
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from tests.helpers import db_session, raw_database_bytes
from victimcare.cases.importing import COLUMNS, TEMPLATE
from victimcare.cases.models import Case, Victim

HEADER = ",".join(COLUMNS)
DISTINCTIVE = {
    "name": "Mùa Thị Sếnh",
    "folded": "Mua Thi Senh",
    "id": "017399887766",
    "phone_digits": "0978123456",
    "address": "Bản Khuổi Phạ, xã Nậm Xé",
}


def _csv(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "people.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def _count(app, model):
    with db_session(app) as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model))


def _import(app, path, agency="police-demo"):
    return app.test_cli_runner().invoke(args=["cases", "import", str(path), "--agency", agency])


@pytest.fixture
def distinctive_file(tmp_path):
    return _csv(
        tmp_path,
        f'{DISTINCTIVE["name"]},,F,03/02/2001,,VN,có,citizen_id,{DISTINCTIVE["id"]},{DISTINCTIVE["phone_digits"]},"{DISTINCTIVE["address"]}",15,02647',
        "Đặng Văn Hải,,M,,1995,VN,không,,,,,15,",
    )


def test_the_shipped_template_imports(seeded):
    result = _import(seeded, TEMPLATE)
    assert result.exit_code == 0, result.output
    assert "Imported 2 case(s)" in result.output
    assert _count(seeded, Case) == 2


def test_imported_personal_data_never_appears_in_the_database_file_or_logs(seeded, distinctive_file, caplog):
    caplog.set_level(logging.DEBUG)
    result = _import(seeded, distinctive_file)
    assert result.exit_code == 0, result.output
    searched = seeded.test_cli_runner().invoke(args=["cases", "search", "--name", DISTINCTIVE["folded"]])
    assert DISTINCTIVE["name"] in searched.output  # the operator sees it decrypted
    raw = raw_database_bytes(seeded)
    logs = caplog.text.encode()
    for value in [
        DISTINCTIVE["name"],
        DISTINCTIVE["folded"].upper(),
        DISTINCTIVE["id"],
        DISTINCTIVE["phone_digits"],
        "+84978123456",
        "978123456",
        DISTINCTIVE["address"],
        "Khuổi Phạ",
        "Đặng Văn Hải",
    ]:
        for form in {value.encode("utf-8"), value.encode("utf-16-le")}:
            assert form not in raw, value
            assert form not in logs, value


def test_a_bad_file_is_refused_whole_with_a_message_per_bad_row(seeded, tmp_path):
    path = _csv(
        tmp_path,
        "Người Tốt,,F,01/01/2000,,VN,,,,,,15,",
        ",,F,01/01/2000,,VN,,,,,,15,",  # row 3: no name
        "Người Hai,,X,31/02/2000,,VNM,maybe,,,abc,,15,",  # row 4: four problems
        "Người Ba,,M,,1850,VN,,citizen_id,,,,15,",  # row 5: year out of range
    )
    result = _import(seeded, path)
    assert result.exit_code != 0
    output = result.output
    assert "nothing was imported" in output
    for expected in [
        "row 3, column full_name",
        "row 4, column sex",
        "row 4, column birth_date",
        "row 4, column nationality",
        "row 4, column ethnic_minority",
        "row 4, column phone",
        "row 5, column birth_year",
    ]:
        assert expected.replace("row", "dòng").replace("column", "cột") in output, expected
    assert "dòng 2" not in output
    assert _count(seeded, Case) == 0 and _count(seeded, Victim) == 0


def test_unknown_columns_and_an_unknown_agency_are_refused(seeded, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("full_name,favourite_colour\nAi Đó,xanh\n", encoding="utf-8")
    result = _import(seeded, path)
    assert result.exit_code != 0 and "favourite_colour" in result.output
    assert _import(seeded, TEMPLATE, agency="nowhere").exit_code != 0
    assert _count(seeded, Case) == 0


def test_xlsx_files_import_with_real_dates(seeded, tmp_path):
    from datetime import datetime

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    sheet.append(
        [
            "Thào Thị Dua",
            None,
            "nữ",
            datetime(1998, 7, 1),
            None,
            "VN",
            "có",
            None,
            15304000111,
            "0912000111",
            None,
            "15",
            None,
        ]
    )
    path = tmp_path / "people.xlsx"
    workbook.save(path)
    result = _import(seeded, path)
    assert result.exit_code == 0, result.output
    with db_session(seeded) as session:
        victim = session.scalar(sa.select(Victim))
        assert victim.full_name == "Thào Thị Dua"
        assert victim.date_of_birth.isoformat() == "1998-07-01" and victim.birth_year == 1998
        assert victim.id_number == "15304000111" and victim.is_ethnic_minority is True


def test_references_continue_across_imports(seeded):
    _import(seeded, TEMPLATE)
    _import(seeded, TEMPLATE)
    with db_session(seeded) as session:
        references = sorted(session.scalars(sa.select(Case.reference)))
    assert [r[-6:] for r in references] == ["000001", "000002", "000003", "000004"]


def test_places_are_read_from_codes_or_names_and_stored_as_codes(seeded, tmp_path):
    path = _csv(
        tmp_path,
        "Người Một,,F,,,Việt Nam,,,,,,Lào Cai,Bát Xát",
        "Người Hai,,M,,,cn,,,,,,15,2647",
        "Người Ba,,M,,,VN,,,,,,,02683",  # a commune code names its province
    )
    result = _import(seeded, path)
    assert result.exit_code == 0, result.output
    with db_session(seeded) as session:
        rows = session.execute(
            sa.select(Victim.nationality, Victim.province_code, Victim.commune_code).order_by(
                Victim.commune_code
            )
        ).all()
    assert sorted(rows) == sorted([("VN", "15", "02683"), ("CN", "15", "02647"), ("VN", "15", "02683")])


def test_free_text_places_and_a_bad_date_are_refused_with_one_message_each(seeded, tmp_path):
    path = _csv(
        tmp_path,
        "Người Một,,F,,,abc,,,,,,,",  # row 2: no country
        "Người Hai,,F,,,VN,,,,,,Sài Gòn cũ,",  # row 3: no province of 2025
        "Người Ba,,F,,,VN,,,,,,01,Bát Xát",  # row 4: Bát Xát is in Lào Cai, not Hà Nội
        "Người Bốn,,F,,,VN,,,,,,,Bát Xát",  # row 5: a name without its province
        "Người Năm,,F,2000-13-45,,VN,,,,,,,",  # row 6: no such day
    )
    result = _import(seeded, path)
    assert result.exit_code != 0
    output = result.output
    assert "dòng 2, cột nationality: không phải một quốc gia" in output
    assert "dòng 3, cột province_code: không thuộc 34 tỉnh, thành phố năm 2025" in output
    assert "dòng 4, cột commune_code: không phải xã, phường của Thành phố Hà Nội" in output
    assert "dòng 5, cột commune_code: không phải mã xã, phường" in output
    assert "dòng 6, cột birth_date: Ngày không hợp lệ (dd/mm/yyyy)." in output
    assert _count(seeded, Case) == 0
