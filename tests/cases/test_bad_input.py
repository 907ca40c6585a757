"""Impossible dates, damaged hidden versions and absurd page numbers on case pages: a message in the
user's language, the user's input kept, nothing saved, never a 500 (issue 13 item 11)."""

import pytest
import sqlalchemy as sa

from tests.helpers import add_case, db_session, post
from victimcare.cases.models import Case

INTAKE = {"full_name": "Lò Thị Xuyến", "channel": "hotline_111", "nationality": "VN", "gender": "unknown"}


def _cases(app) -> int:
    with db_session(app) as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Case))


@pytest.mark.parametrize(
    "received_at, message",
    [
        ("01/01/0001 00:00", "Ngày không hợp lệ (dd/mm/yyyy hh:mm)."),
        ("31/12/9999 23:59", "Ngày không hợp lệ (dd/mm/yyyy hh:mm)."),
        ("32/13/2020 25:00", "Ngày không hợp lệ (dd/mm/yyyy hh:mm)."),
    ],
)
def test_an_impossible_reception_time_is_refused_in_vietnamese_with_the_form_kept(
    login_as, seeded, received_at, message
):
    response = post(login_as("police1"), "/cases/new", {**INTAKE, "received_at": received_at})
    assert response.status_code == 400
    assert message in response.text
    assert "Lò Thị Xuyến" in response.text
    assert _cases(seeded) == 0


def test_an_impossible_birth_date_is_refused(login_as, seeded):
    response = post(
        login_as("police1"),
        "/cases/new",
        {**INTAKE, "received_at": "01/01/2026 08:00", "date_of_birth": "01/01/0001"},
    )
    assert response.status_code == 400 and "Ngày không hợp lệ (dd/mm/yyyy)." in response.text


@pytest.mark.parametrize("version", ["abc", "1e99", "1" + "0" * 30, "-1"])
def test_a_damaged_hidden_version_is_refused_and_the_typed_text_kept(login_as, seeded, version):
    reference = add_case(seeded)
    client = login_as("police1")
    response = post(client, f"/cases/{reference}/edit/facts", {"version": version, "narrative": "Lời kể mới"})
    assert response.status_code == 400
    assert "Biểu mẫu này bị hỏng hoặc đã cũ." in response.text
    assert "Lời kể mới" in response.text
    with db_session(seeded) as session:
        case = session.scalar(sa.select(Case).where(Case.reference == reference))
        assert case.narrative is None and case.version == 1


def test_a_damaged_version_on_a_step_is_refused(login_as, seeded):
    reference = add_case(seeded)
    response = post(
        login_as("police1"),
        f"/cases/{reference}/transition/start_verification",
        {
            "version": "x",
            "channel": "hotline_111",
            "received_at": "01/01/2026 08:00",
            "notified_social_affairs_at": "01/01/2026 09:00",
        },
    )
    assert response.status_code == 400 and "Biểu mẫu này bị hỏng hoặc đã cũ." in response.text
    with db_session(seeded) as session:
        assert session.scalar(sa.select(Case.stage).where(Case.reference == reference)) == "intake"


@pytest.mark.parametrize("page", ["100000000000000000000", "9" * 400, "-5", "abc"])
def test_any_page_number_of_the_case_list_answers_a_page(login_as, seeded, page):
    add_case(seeded)
    response = login_as("police1").get(f"/cases?page={page}")
    assert response.status_code == 200


def test_a_nul_in_a_case_address_is_refused_before_any_query(login_as, seeded):
    client = login_as("police1")
    for url in ("/cases/VC%00-1", "/cases?agency=%00", "/cases?stage=intake&agency=police%00demo"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "Địa chỉ này chứa một ký tự không dùng được (NUL)." in response.text
