"""NUL and control characters in login, agency and user names, and a crafted login ``next``: a clear
Vietnamese message, never a 500, nothing stored (issue 13 item 11; PostgreSQL cannot store NUL)."""

import pytest
import sqlalchemy as sa

from tests.helpers import db_session, log_in, post
from victimcare.accounts.models import Agency, LoginThrottle, User

CONTROL_MESSAGE = "ký tự điều khiển không nhìn thấy"


def _count(app, model) -> int:
    with db_session(app) as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize("username", ["police\x001", "police1\r\n", "\x00"])
def test_a_control_character_in_the_login_name_is_refused_before_the_database(seeded, client, username):
    response = log_in(client, username, "victimcare-demo")
    assert response.status_code == 400
    assert CONTROL_MESSAGE in response.text
    assert _count(seeded, LoginThrottle) == 0  # the typed name never reached the throttle table


@pytest.mark.parametrize(
    "target",
    [
        "/%0d%0aSet-Cookie:%20x=1",
        "/%0aLocation:%20//evil.example",
        "/\\evil.example",
        "/\\/evil.example",
        "//evil.example",
        "https://evil.example/",
    ],
)
def test_login_next_goes_home_unless_it_is_a_plain_same_site_path(seeded, client, target):
    response = post(
        client,
        f"/login?next={target}",
        {"username": "police1", "password": "victimcare-demo"},
        token_page="/login",
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Set-Cookie: x" not in str(response.headers)


def test_a_plain_same_site_next_is_kept(seeded, client):
    response = post(
        client,
        "/login?next=/cases%3Fpage%3D2",
        {"username": "police1", "password": "victimcare-demo"},
        token_page="/login",
    )
    assert response.headers["Location"] == "/cases?page=2"


def test_a_nul_in_an_agency_name_is_refused_with_the_form_kept(login_as, seeded):
    admin = login_as("admin1")
    before = _count(seeded, Agency)
    response = post(
        admin,
        "/admin/agencies/new",
        {"code": "so-moi", "name": "Sở\x00Mới", "kind": "police", "province_code": "15", "active": "y"},
    )
    assert response.status_code == 400
    assert CONTROL_MESSAGE in response.text and 'value="so-moi"' in response.text
    assert _count(seeded, Agency) == before


def test_a_nul_in_a_staff_members_name_is_refused_and_the_saved_name_kept(login_as, seeded):
    admin = login_as("admin1")
    with db_session(seeded) as session:
        user = session.scalar(sa.select(User).where(User.username == "border1"))
        user_id, name, agency_id = user.id, user.display_name, user.agency_id
    response = post(
        admin,
        f"/admin/users/{user_id}",
        {"display_name": "Tên\x00Mới", "agency": str(agency_id), "role": "officer"},
    )
    assert response.status_code == 400 and CONTROL_MESSAGE in response.text
    response = post(
        admin,
        "/admin/users/new",
        {"username": "moi1", "display_name": "A\x00B", "agency": str(agency_id), "role": "officer"},
        token_page="/admin/users/new",
    )
    assert response.status_code == 400 and CONTROL_MESSAGE in response.text
    with db_session(seeded) as session:
        assert session.get(User, user_id).display_name == name
        assert session.scalar(sa.select(User).where(User.username == "moi1")) is None
