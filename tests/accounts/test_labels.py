"""A role reads as people at that kind of agency say it: a health station's case worker is a health
worker (nhân viên y tế), not a social worker (cán bộ xã hội)."""

import re

import pytest

from victimcare.accounts.labels import role_label
from victimcare.accounts.models import AgencyKind, Role


@pytest.mark.parametrize(
    "role, kind, expected",
    [
        (Role.CASE_WORKER, AgencyKind.HEALTH, "Nhân viên y tế"),
        (Role.CASE_WORKER, AgencyKind.SOCIAL_AFFAIRS, "Cán bộ xã hội"),
        (Role.CASE_WORKER, AgencyKind.WOMENS_UNION, "Cán bộ xã hội"),
        (Role.CASE_WORKER, AgencyKind.POLICE, "Cán bộ phụ trách hồ sơ"),
        (Role.CASE_WORKER, None, "Cán bộ phụ trách hồ sơ"),
        (Role.OFFICER, AgencyKind.HEALTH, "Cán bộ"),
        (Role.SUPERVISOR, AgencyKind.HEALTH, "Lãnh đạo giám sát"),
    ],
)
def test_a_case_workers_title_follows_the_kind_of_agency(app, role, kind, expected):
    with app.test_request_context():
        assert role_label(role, kind) == expected


def test_each_user_sees_their_own_title(login_as):
    for username, title in (
        ("health1", "Nhân viên y tế"),
        ("social1", "Cán bộ xã hội"),
        ("police1", "Cán bộ"),
    ):
        client = login_as(username)
        whoami = re.search(r'data-testid="whoami">([^<]*)<', client.get("/").text).group(1)
        assert whoami.startswith(f"{title} · "), whoami
        assert f'<dd class="col-sm-9">{title}</dd>' in client.get("/account").text


def test_the_administrators_list_names_each_users_title(login_as):
    users = login_as("admin1").get("/admin/users").text
    row = re.search(r"<tr>(?:(?!</tr>).)*health1(?:(?!</tr>).)*</tr>", users, re.S).group(0)
    assert "Nhân viên y tế" in row and "Cán bộ xã hội" not in row
