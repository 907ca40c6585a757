"""Separation of duties for administrators (issue 13 item 6).

An administrator never changes their own role or agency; a role that reads cases (or decides
approvals) and an agency's new kind or province take effect only when a second administrator
approves; requests, decisions and password resets are flagged in the review.
"""

import re

from tests.helpers import add_case, approve_all, detached, log_in, post
from victimcare import access
from victimcare.accounts.models import Agency, Role, User


def test_an_admin_cannot_make_themselves_a_case_reader_and_open_cases(login_as, seeded):
    reference = add_case(seeded, "police-demo", full_name="Lò Thị Dợ")
    admin = login_as("admin1")
    me = detached(seeded, User, username="admin1")
    police = detached(seeded, Agency, code="police-demo")
    response = post(
        admin,
        f"/admin/users/{me.id}",
        {
            "display_name": me.display_name,
            "agency": str(police.id),
            "role": "supervisor",
        },
    )
    assert response.status_code == 400
    assert "Bạn không thể tự thay đổi vai trò hoặc cơ quan của mình" in response.text
    assert (
        detached(seeded, User, username="admin1").role,
        detached(seeded, User, username="admin1").agency_id,
    ) == (Role.ADMIN, me.agency_id)
    assert admin.get(f"/cases/{reference}").status_code == 403


def test_granting_a_case_reading_role_waits_for_a_second_admin(login_as, seeded):
    reference = add_case(seeded, "police-demo", full_name="Lò Thị Dợ")
    auditor = detached(seeded, User, username="auditor1")
    police = detached(seeded, Agency, code="police-demo")
    admin1 = login_as("admin1")
    response = post(
        admin1,
        f"/admin/users/{auditor.id}",
        {
            "display_name": auditor.display_name,
            "agency": str(police.id),
            "role": "officer",
        },
        follow_redirects=True,
    )
    assert 'data-testid="waiting-approval"' in response.text
    assert detached(seeded, User, username="auditor1").role == Role.AUDITOR
    assert approve_all(admin1) == 0, "the requester finds nothing to approve"
    assert login_as("auditor1").get(f"/cases/{reference}").status_code == 403

    assert approve_all(login_as("admin2")) == 1
    granted = detached(seeded, User, username="auditor1")
    assert (granted.role, granted.agency_id) == (Role.OFFICER, police.id)
    assert "Lò Thị Dợ" in login_as("auditor1").get(f"/cases/{reference}").text


def test_a_new_case_reader_cannot_log_in_until_a_second_admin_approves(login_as, seeded):
    admin1 = login_as("admin1")
    response = post(
        admin1,
        "/admin/users/new",
        {
            "username": "social2",
            "display_name": "Lò Thị Hoa",
            "agency": str(detached(seeded, Agency, code="social-demo").id),
            "role": "case_worker",
        },
    )
    assert 'data-testid="waiting-approval"' in response.text
    temporary = re.search(r'data-testid="temporary-password">([^<]+)<', response.text).group(1)
    assert log_in(seeded.test_client(), "social2", temporary).status_code == 401
    newcomer = detached(seeded, User, username="social2")
    activated = post(
        admin1,
        f"/admin/users/{newcomer.id}/activate",
        token_page=f"/admin/users/{newcomer.id}",
        follow_redirects=True,
    )
    assert (
        "chờ quản trị viên thứ hai phê duyệt" in activated.text
        and not detached(seeded, User, username="social2").active
    )
    approve_all(login_as("admin2"))
    assert log_in(seeded.test_client(), "social2", temporary).status_code == 302


def test_a_role_that_reads_nothing_is_given_at_once(login_as, seeded):
    social = detached(seeded, User, username="social1")
    post(
        login_as("admin1"),
        f"/admin/users/{social.id}",
        {
            "display_name": social.display_name,
            "agency": str(social.agency_id),
            "role": "auditor",
        },
    )
    assert detached(seeded, User, username="social1").role == Role.AUDITOR


def test_the_roles_needing_approval_come_from_the_permission_table():
    readers = {
        role
        for role, permissions in access.ROLE_PERMISSIONS.items()
        if access.Permission.CASE_VIEW in permissions
    }
    assert readers == {Role.OFFICER, Role.CASE_WORKER, Role.SUPERVISOR}
    assert readers | {Role.ADMIN} == access.ROLES_NEEDING_APPROVAL  # admins decide approvals
    assert Role.AUDITOR not in access.ROLES_NEEDING_APPROVAL


def test_an_agencys_kind_or_province_changes_only_when_a_second_admin_approves(login_as, seeded):
    health = detached(seeded, Agency, code="health-demo")
    data = {
        "code": health.code,
        "name": health.name,
        "kind": "police",
        "province_code": "01",
        "commune_code": health.commune_code or "",
        "district_code": "",
    }
    admin1 = login_as("admin1")
    assert post(admin1, f"/admin/agencies/{health.id}", data).status_code == 302
    waiting = detached(seeded, Agency, code="health-demo")
    assert (waiting.kind, waiting.province_code) == ("health", "15")
    assert 'data-testid="waiting-approval"' in admin1.get(f"/admin/agencies/{health.id}").text
    assert approve_all(admin1) == 0
    health1 = login_as("health1")
    assert approve_all(login_as("admin2")) == 1
    changed = detached(seeded, Agency, code="health-demo")
    assert (changed.kind, changed.province_code) == ("police", "01")
    assert health1.get("/").status_code == 302, "its staff log in again to see what the new kind sees"


def test_an_agencys_name_is_saved_at_once(login_as, seeded):
    health = detached(seeded, Agency, code="health-demo")
    post(
        login_as("admin1"),
        f"/admin/agencies/{health.id}",
        {"code": health.code, "name": "Trạm Y tế mới", "kind": "health", "province_code": "15"},
    )
    assert detached(seeded, Agency, code="health-demo").name == "Trạm Y tế mới"


def test_role_grants_agency_changes_and_password_resets_are_flagged_for_reviewers(login_as, seeded):
    admin1 = login_as("admin1")
    social = detached(seeded, User, username="social1")
    post(
        admin1,
        f"/admin/users/{social.id}",
        {"display_name": social.display_name, "agency": str(social.agency_id), "role": "supervisor"},
    )
    health = detached(seeded, Agency, code="health-demo")
    post(
        admin1,
        f"/admin/agencies/{health.id}",
        {"code": health.code, "name": health.name, "kind": "social_affairs", "province_code": "15"},
    )
    police = detached(seeded, User, username="police1")
    post(admin1, f"/admin/users/{police.id}/reset-password", token_page=f"/admin/users/{police.id}")
    approve_all(login_as("admin2"))
    for reviewer in ("supervisor1", "auditor1"):
        page = login_as(reviewer).get("/audit").text
        flags = re.findall(r'data-flag="([a-z_]+)"', page)
        assert flags.count("role_grant") == 2, reviewer  # the request and its approval
        assert flags.count("agency_change") == 2, reviewer
        assert "password_reset" in flags, reviewer
