"""The log's filters say what they cannot apply, in the reader's language, and keep what was typed;
a case is found however its reference is typed; people and agencies are picked from lists; any
page number answers a page (issues 13 and 16)."""

import re

import pytest

from tests.helpers import add_case


def _rows(page: str) -> list[str]:
    return re.findall(r'data-testid="audit-row"', page)


@pytest.mark.parametrize(
    "query",
    ["from=01/01/0001", "to=31/12/9999", "from=31/02/2026", "from=01/01/0001&to=31/12/9999", "to=abc"],
)
def test_a_day_that_cannot_be_a_filter_says_so_and_shows_no_events(login_as, query):
    response = login_as("supervisor1").get(f"/audit?{query}")
    assert response.status_code == 200
    page = response.text
    assert "Ngày không hợp lệ (dd/mm/yyyy)." in page and 'aria-invalid="true"' in page
    assert "Có bộ lọc không áp dụng được" in page and _rows(page) == []
    typed = query.split("&")[0].split("=")[1]
    assert f'value="{typed}"' in page  # what was typed stays in the box


def test_a_reversed_period_says_so(login_as):
    page = login_as("supervisor1").get("/audit?from=31/12/2026&to=01/01/2026").text
    assert "Ngày kết thúc trước ngày bắt đầu." in page and _rows(page) == []


def test_a_valid_period_filters_without_a_warning(login_as):
    page = login_as("supervisor1").get("/audit?from=01/01/2026&to=31/12/2100").text
    assert 'data-testid="filter-error"' not in page and _rows(page)
    assert _rows(login_as("supervisor1").get("/audit?from=01/01/2100").text) == []


@pytest.mark.parametrize("typed", ["{ref}", "{lower}", "{year_number}", "{number}", " {number} "])
def test_the_case_filter_takes_the_reference_however_it_is_typed(login_as, seeded, typed):
    reference = add_case(seeded, "police-demo")
    other = add_case(seeded, "police-demo")
    login_as("police1").get(f"/cases/{reference}")
    login_as("police1").get(f"/cases/{other}")
    year_number = reference.removeprefix("VC-")
    number = str(int(reference.rsplit("-", 1)[1]))
    asked = typed.format(ref=reference, lower=reference.lower(), year_number=year_number, number=number)
    page = login_as("auditor1").get("/audit", query_string={"case": asked}).text
    assert reference in page and other not in page and _rows(page)


def test_a_case_filter_that_is_no_reference_says_so(login_as):
    page = login_as("auditor1").get("/audit?case=Lò Thị").text
    assert "Nhập mã hồ sơ, ví dụ VC-2026-000042, 2026-000042 hoặc 42." in page and _rows(page) == []


def test_people_and_agencies_are_picked_from_lists_of_those_reviewed(login_as, seeded):
    from victimcare.accounts import operations as accounts
    from victimcare.extensions import db

    with seeded.app_context():
        accounts.save_agency(
            None, code="police-other", name="Công an tỉnh khác", kind="police", province_code="01"
        )
        db.session.commit()
    login_as("police1")
    page = login_as("supervisor1").get("/audit").text
    assert '<option value="police1"' in page and "Trần Văn Hùng (police1)" in page
    assert '<option value="police-demo"' in page and "Công an tỉnh Lào Cai (demo)" in page
    assert '<option value="police-other"' not in page  # another province's agency
    assert '<option value="police-other"' in login_as("auditor1").get("/audit").text
    assert (
        "Chọn một cơ quan trong danh sách." in login_as("supervisor1").get("/audit?agency=police-other").text
    )
    assert "Chọn một người trong danh sách." in login_as("supervisor1").get("/audit?user=nobody").text
    assert "Chọn một hành động trong danh sách." in login_as("supervisor1").get("/audit?action=drop").text
    filtered = login_as("supervisor1").get("/audit?user=police1&agency=police-demo&action=login").text
    assert _rows(filtered) and "Trần Văn Hùng (police1)" in filtered


def test_the_export_with_a_filter_it_cannot_apply_goes_back_to_the_filters(login_as, seeded):
    auditor = login_as("auditor1")
    response = auditor.get("/audit/export.csv?from=31/02/2026&case=42")
    assert response.status_code == 302 and response.headers["Location"].startswith("/audit?")
    assert "from=31/02/2026" in response.headers["Location"]


@pytest.mark.parametrize("page", ["100000000000000000000", "-1", "x"])
def test_any_page_number_of_the_log_answers_a_page(login_as, page):
    assert login_as("auditor1").get(f"/audit?page={page}").status_code == 200
