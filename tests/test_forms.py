"""One message for a day or time that cannot be read, on every form, and never "required" (issue 16)."""

import re

import pytest

from tests.helpers import add_case, post

DAY = "Ngày không hợp lệ (dd/mm/yyyy)."
MOMENT = "Ngày không hợp lệ (dd/mm/yyyy hh:mm)."
REQUIRED = "Bắt buộc nhập thông tin này."
INTAKE = {"full_name": "Lò Thị Xuyến", "channel": "hotline_111", "nationality": "VN", "gender": "Feminine"}
MALFORMED = ["abc", "31/02/2024", "2024-01-15", "01/01/1800", "15/01/2024 08:00 x"]


def _errors(page: str) -> list[str]:
    return re.findall(r'<div class="invalid-feedback[^"]*">([^<]+)</div>', page)


@pytest.mark.parametrize("typed", MALFORMED)
def test_a_malformed_birth_date_or_reception_time_says_not_a_valid_date(login_as, seeded, typed):
    response = post(
        login_as("police1"), "/cases/new", {**INTAKE, "date_of_birth": typed, "received_at": typed}
    )
    assert response.status_code == 400
    assert _errors(response.text) == [MOMENT, DAY]  # reception comes first on the page
    assert REQUIRED not in response.text


@pytest.mark.parametrize("typed", MALFORMED)
def test_a_malformed_consent_time_says_not_a_valid_date(login_as, seeded, typed):
    reference = add_case(seeded)
    response = post(
        login_as("police1"),
        f"/cases/{reference}/consents/new",
        {"given_by": "person", "method": "signed_form", "given_at": typed, "purposes": "medical_care"},
    )
    assert response.status_code == 400
    assert MOMENT in response.text and REQUIRED not in response.text


@pytest.mark.parametrize("typed", MALFORMED)
def test_a_malformed_step_date_says_not_a_valid_date(login_as, seeded, typed):
    reference = add_case(seeded)
    response = post(
        login_as("police1"),
        f"/cases/{reference}/transition/record_death",
        {"version": "1", "date_of_death": typed},
    )
    assert response.status_code == 400
    assert _errors(response.text) == [DAY]


def test_a_blank_required_date_says_required(login_as, seeded):
    response = post(login_as("police1"), "/cases/new", {**INTAKE, "received_at": "   "})
    assert response.status_code == 400 and _errors(response.text) == [REQUIRED]
