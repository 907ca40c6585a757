"""Account administration: only admins, and every action really takes effect."""

import re

import pytest
import sqlalchemy as sa

from tests.helpers import approve_all, db_session, log_in, post
from victimcare.accounts.models import Agency, User

ADMIN_PAGES = [
    "/admin/users",
    "/admin/users/new",
    "/admin/agencies",
    "/admin/agencies/new",
    "/admin/sessions",
]


def _agency_id(app, code):
    with db_session(app) as session:
        return str(session.scalar(sa.select(Agency.id).where(Agency.code == code)))


def _user(app, username):
    with db_session(app) as session:
        user = session.scalar(sa.select(User).where(User.username == username))
        session.expunge(user)
        return user


@pytest.mark.parametrize("username", ["police1", "social1", "supervisor1", "auditor1"])
@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_only_admins_open_account_pages(login_as, username, page):
    assert login_as(username).get(page).status_code == 403


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_admin_opens_account_pages(login_as, page):
    assert login_as("admin1").get(page).status_code == 200


def test_admin_creates_a_user_who_must_choose_a_password_at_first_login(login_as, seeded):
    admin = login_as("admin1")
    response = post(
        admin,
        "/admin/users/new",
        {
            "username": "Police2",
            "display_name": "Lò Văn Sáng",
            "agency": _agency_id(seeded, "police-demo"),
            "role": "officer",
        },
    )
    assert response.status_code == 200
    temporary = re.search(r'data-testid="temporary-password">([^<]+)<', response.text).group(1)
    newcomer = seeded.test_client()
    assert log_in(newcomer, "police2", temporary).status_code == 401  # an officer's role waits for approval
    approve_all(login_as("admin2"))
    assert log_in(newcomer, "police2", temporary).status_code == 302
    assert newcomer.get("/").headers["Location"] == "/account/password"
    post(
        newcomer,
        "/account/password",
        {
            "current_password": temporary,
            "new_password": "mua xuan tren nui cao 77",
            "confirm": "mua xuan tren nui cao 77",
        },
    )
    assert newcomer.get("/").status_code == 200


def test_a_taken_username_is_refused_and_the_form_keeps_its_input(login_as, seeded):
    response = post(
        login_as("admin1"),
        "/admin/users/new",
        {
            "username": "police1",
            "display_name": "Người Khác",
            "agency": _agency_id(seeded, "police-demo"),
            "role": "officer",
        },
    )
    assert response.status_code == 400
    assert "đã có người dùng" in response.text
    assert 'value="Người Khác"' in response.text


def test_a_new_user_form_with_bad_input_says_what_is_wrong_in_vietnamese(login_as):
    response = post(
        login_as("admin1"),
        "/admin/users/new",
        {
            "username": "a b",
            "display_name": "",
            "agency": "not-an-id",
            "role": "emperor",
        },
    )
    assert response.status_code == 400
    assert "Bắt buộc nhập thông tin này." in response.text
    assert "Lựa chọn không hợp lệ." in response.text
    assert "Chỉ dùng chữ cái" in response.text


def test_admin_resets_a_password_and_the_old_one_stops_working(login_as, seeded):
    user = _user(seeded, "social1")
    response = post(
        login_as("admin1"), f"/admin/users/{user.id}/reset-password", token_page=f"/admin/users/{user.id}"
    )
    temporary = re.search(r'data-testid="temporary-password">([^<]+)<', response.text).group(1)
    assert log_in(seeded.test_client(), "social1", "victimcare-demo").status_code == 401
    assert log_in(seeded.test_client(), "social1", temporary).status_code == 302


def test_admin_unlocks_a_locked_account(login_as, seeded):
    for _ in range(6):
        log_in(seeded.test_client(), "social1", "bad guess here")
    user = _user(seeded, "social1")
    admin = login_as("admin1")
    assert "Bị khóa" in admin.get("/admin/users").text
    post(admin, f"/admin/users/{user.id}/unlock", token_page=f"/admin/users/{user.id}")
    assert log_in(seeded.test_client(), "social1", "victimcare-demo").status_code == 302


def test_admin_cannot_deactivate_themselves(login_as, seeded):
    admin = login_as("admin1")
    me = _user(seeded, "admin1")
    response = post(
        admin, f"/admin/users/{me.id}/deactivate", token_page=f"/admin/users/{me.id}", follow_redirects=True
    )
    assert "không thể tự vô hiệu hóa" in response.text
    assert _user(seeded, "admin1").active


def test_changing_a_users_role_ends_their_sessions(login_as, seeded):
    client = login_as("social1")
    user = _user(seeded, "social1")
    post(
        login_as("admin1"),
        f"/admin/users/{user.id}",
        {
            "display_name": user.display_name,
            "agency": str(user.agency_id),
            "role": "supervisor",
        },
    )
    assert client.get("/").status_code == 200 and _user(seeded, "social1").role == "case_worker"  # waits
    approve_all(login_as("admin2"))
    assert _user(seeded, "social1").role == "supervisor"
    assert client.get("/").status_code == 302


def test_admin_creates_and_edits_an_agency(login_as, seeded):
    admin = login_as("admin1")
    data = {
        "code": "legal-aid-demo",
        "name": "Trung tâm Trợ giúp pháp lý",
        "kind": "justice",
        "province_code": "15",
        "commune_code": "",
        "district_code": "",
    }
    assert post(admin, "/admin/agencies/new", data).status_code == 302
    agency_id = _agency_id(seeded, "legal-aid-demo")
    data["name"] = "Trung tâm TGPL tỉnh"
    assert post(admin, f"/admin/agencies/{agency_id}", data).status_code == 302
    assert "Trung tâm TGPL tỉnh" in admin.get("/admin/agencies").text


def test_a_duplicate_agency_code_is_refused(login_as):
    response = post(
        login_as("admin1"),
        "/admin/agencies/new",
        {
            "code": "police-demo",
            "name": "X",
            "kind": "police",
            "province_code": "15",
        },
    )
    assert response.status_code == 400
    assert "đã được sử dụng" in response.text


def test_an_unknown_user_id_is_not_found(login_as):
    admin = login_as("admin1")
    assert admin.get("/admin/users/not-a-uuid").status_code == 404
    assert admin.get("/admin/users/00000000-0000-0000-0000-000000000000").status_code == 404
