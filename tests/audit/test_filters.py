"""The log's filters and pages take whatever is typed in the address: a day out of range is named and
ignored, any page number answers a page (issue 13 item 11)."""

import pytest


@pytest.mark.parametrize(
    "query", ["from=01/01/0001", "to=31/12/9999", "from=31/02/2026", "from=01/01/0001&to=31/12/9999"]
)
def test_a_day_that_cannot_be_a_filter_is_named_and_ignored(login_as, query):
    response = login_as("supervisor1").get(f"/audit?{query}")
    assert response.status_code == 200
    assert "không phải ngày hợp lệ (dd/mm/yyyy) trong khoảng 1900 đến 2100" in response.text
    assert "đăng nhập" in response.text.lower() or "login" in response.text  # the unfiltered log is shown


def test_a_valid_day_filters_without_a_warning(login_as):
    response = login_as("supervisor1").get("/audit?from=01/01/2026&to=31/12/2100")
    assert response.status_code == 200 and 'data-testid="filter-error"' not in response.text


@pytest.mark.parametrize("page", ["100000000000000000000", "-1", "x"])
def test_any_page_number_of_the_log_answers_a_page(login_as, page):
    assert login_as("auditor1").get(f"/audit?page={page}").status_code == 200
