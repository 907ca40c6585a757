"""Every URL rule × every demo user, checked against the table below.

The rules come from ``app.url_map``, so a new route without a row here fails this test.
Categories: ok (served or processed), login (sent to log in), forbidden (403), hidden (404).
The case used is owned by police-demo; supervisor1 (social-demo, same province) may see it.
"""

import re
import shutil

import pytest
import sqlalchemy as sa

from tests.helpers import (
    add_case,
    add_consent,
    add_referral,
    add_support_records,
    db_session,
    log_in,
    make_app,
    request_erasure,
    seed,
)
from victimcare.accounts.models import Agency, User, UserSession

USERS = [
    "anonymous",
    "police1",
    "border1",
    "social1",
    "health1",
    "supervisor1",
    "auditor1",
    "admin1",
    "steering1",
]
EVERYONE = {u: "ok" for u in USERS}
LOGGED_IN = {**EVERYONE, "anonymous": "login"}
ADMIN_ONLY = {**{u: "forbidden" for u in USERS}, "anonymous": "login", "admin1": "ok"}
CASE_WORKERS = {**LOGGED_IN, "auditor1": "forbidden", "admin1": "forbidden", "steering1": "forbidden"}
SEES_POLICE_CASE = {**CASE_WORKERS, "border1": "hidden", "social1": "hidden", "health1": "hidden"}
ACTS_ON_POLICE_CASE = {**SEES_POLICE_CASE, "supervisor1": "forbidden"}
REVIEWERS = {**{u: "forbidden" for u in USERS}, "anonymous": "login", "supervisor1": "ok", "auditor1": "ok"}
REFERRAL_PARTIES = {**CASE_WORKERS, "border1": "hidden", "social1": "hidden", "supervisor1": "hidden"}
# Support, reintegration and medical care: the police owner sees none of those groups.
NO_SUPPORT_BY_POLICE = {**ACTS_ON_POLICE_CASE, "police1": "forbidden"}
SUPERVISOR_ONLY = {**{u: "forbidden" for u in USERS}, "anonymous": "login", "supervisor1": "ok"}
# Statistics: supervisors and the steering committee, who opens nothing else.
REPORT_READERS = {
    **{u: "forbidden" for u in USERS},
    "anonymous": "login",
    "supervisor1": "ok",
    "steering1": "ok",
}
# Erasure and legal holds belong to the owning agency's supervisors: supervisor1 (social-demo) sees the
# police case but may not touch it; nobody in the table supervises police-demo (supervisor3 does).
OWNING_SUPERVISOR = {**{u: "forbidden" for u in USERS}, "anonymous": "login"}
APPROVERS = {**{u: "forbidden" for u in USERS}, "anonymous": "login", "supervisor1": "ok", "admin1": "ok"}
# The erasure request on the police case, asked by supervisor3: the admin may not know the case exists.
DECIDES_POLICE_ERASURE = {**OWNING_SUPERVISOR, "admin1": "hidden"}

MATRIX = {
    ("accounts.login", "GET"): EVERYONE,
    ("accounts.login", "POST"): EVERYONE,
    ("accounts.logout", "POST"): LOGGED_IN,
    ("accounts.account", "GET"): LOGGED_IN,
    ("accounts.change_password", "GET"): LOGGED_IN,
    ("accounts.change_password", "POST"): LOGGED_IN,
    ("accounts.set_language", "POST"): EVERYONE,
    # Without a login waiting for its code, the code page sends everyone back to /login.
    ("accounts.login_code", "GET"): EVERYONE,
    ("accounts.login_code", "POST"): EVERYONE,
    ("accounts.cancel_login", "POST"): EVERYONE,
    ("accounts.two_factor_page", "GET"): LOGGED_IN,
    ("accounts.new_two_factor", "POST"): LOGGED_IN,
    ("accounts.setup_two_factor", "GET"): LOGGED_IN,
    ("accounts.setup_two_factor", "POST"): LOGGED_IN,
    ("accounts.recovery_codes", "POST"): LOGGED_IN,
    ("accounts.confirm", "GET"): LOGGED_IN,
    ("accounts.confirm", "POST"): LOGGED_IN,
    ("home.index", "GET"): LOGGED_IN,
    ("admin.index", "GET"): ADMIN_ONLY,
    ("admin.users", "GET"): ADMIN_ONLY,
    ("admin.new_user", "GET"): ADMIN_ONLY,
    ("admin.new_user", "POST"): ADMIN_ONLY,
    ("admin.edit_user", "GET"): ADMIN_ONLY,
    ("admin.edit_user", "POST"): ADMIN_ONLY,
    ("admin.set_active", "POST"): ADMIN_ONLY,
    ("admin.reset_password", "POST"): ADMIN_ONLY,
    ("admin.unlock", "POST"): ADMIN_ONLY,
    ("admin.reset_second_factor", "POST"): ADMIN_ONLY,
    ("admin.live_sessions", "GET"): ADMIN_ONLY,
    ("admin.end_session", "POST"): ADMIN_ONLY,
    ("admin.agencies", "GET"): ADMIN_ONLY,
    ("admin.edit_agency", "GET"): ADMIN_ONLY,
    ("admin.edit_agency", "POST"): ADMIN_ONLY,
    ("admin.set_agency_active", "POST"): ADMIN_ONLY,
    ("approvals.index", "GET"): APPROVERS,
    ("approvals.decide", "POST"): DECIDES_POLICE_ERASURE,
    ("audit.index", "GET"): REVIEWERS,
    ("audit.export", "GET"): REVIEWERS,
    ("audit.mark_reviewed", "POST"): REVIEWERS,
    ("audit.user_activity", "GET"): REVIEWERS,
    ("cases.index", "GET"): CASE_WORKERS,
    ("cases.index", "POST"): CASE_WORKERS,
    ("cases.new", "GET"): CASE_WORKERS,
    ("cases.new", "POST"): CASE_WORKERS,
    ("cases.show", "GET"): SEES_POLICE_CASE,
    ("cases.transition", "GET"): ACTS_ON_POLICE_CASE,
    ("cases.transition", "POST"): ACTS_ON_POLICE_CASE,
    ("cases.edit_person", "GET"): ACTS_ON_POLICE_CASE,
    ("cases.edit_person", "POST"): ACTS_ON_POLICE_CASE,
    ("cases.edit_facts", "GET"): ACTS_ON_POLICE_CASE,
    ("cases.edit_facts", "POST"): ACTS_ON_POLICE_CASE,
    ("cases.add_person", "GET"): ACTS_ON_POLICE_CASE,
    ("cases.add_person", "POST"): ACTS_ON_POLICE_CASE,
    ("cases.workflow", "GET"): SEES_POLICE_CASE,
    ("cases.workflow_svg", "GET"): SEES_POLICE_CASE,
    ("cases.break_glass", "GET"): CASE_WORKERS,
    ("cases.break_glass", "POST"): CASE_WORKERS,
    # The police case is unassigned: its officers take it; only supervisors of police-demo assign it.
    ("cases.take", "POST"): ACTS_ON_POLICE_CASE,
    ("cases.assign", "POST"): OWNING_SUPERVISOR,
    ("cases.caseload", "GET"): SUPERVISOR_ONLY,
    ("cases.erase", "POST"): OWNING_SUPERVISOR,
    ("cases.set_legal_hold", "POST"): OWNING_SUPERVISOR,
    ("cases.lift_legal_hold", "POST"): OWNING_SUPERVISOR,
    # The referral is police-demo → health-demo, pending.
    ("referrals.index", "GET"): CASE_WORKERS,
    ("referrals.show", "GET"): REFERRAL_PARTIES,
    ("referrals.answer", "POST"): REFERRAL_PARTIES,
    ("referrals.new", "GET"): ACTS_ON_POLICE_CASE,
    ("referrals.new", "POST"): ACTS_ON_POLICE_CASE,
    ("referrals.new_consent", "GET"): ACTS_ON_POLICE_CASE,
    ("referrals.new_consent", "POST"): ACTS_ON_POLICE_CASE,
    ("referrals.withdraw_consent", "GET"): ACTS_ON_POLICE_CASE,
    ("referrals.withdraw_consent", "POST"): ACTS_ON_POLICE_CASE,
    ("places.communes", "GET"): LOGGED_IN,
    ("support.new_service", "GET"): NO_SUPPORT_BY_POLICE,
    ("support.new_service", "POST"): NO_SUPPORT_BY_POLICE,
    ("support.new_medical", "GET"): NO_SUPPORT_BY_POLICE,
    ("support.new_medical", "POST"): NO_SUPPORT_BY_POLICE,
    ("support.edit_service", "GET"): NO_SUPPORT_BY_POLICE,
    ("support.edit_service", "POST"): NO_SUPPORT_BY_POLICE,
    ("support.extend_service", "GET"): NO_SUPPORT_BY_POLICE,
    ("support.extend_service", "POST"): NO_SUPPORT_BY_POLICE,
    ("support.plan", "GET"): NO_SUPPORT_BY_POLICE,
    ("support.plan", "POST"): NO_SUPPORT_BY_POLICE,
    ("support.record_follow_up", "GET"): NO_SUPPORT_BY_POLICE,
    ("support.record_follow_up", "POST"): NO_SUPPORT_BY_POLICE,
    # Protection is police work: the owner records it.
    ("support.new_assessment", "GET"): ACTS_ON_POLICE_CASE,
    ("support.new_assessment", "POST"): ACTS_ON_POLICE_CASE,
    ("support.new_measure", "GET"): ACTS_ON_POLICE_CASE,
    ("support.new_measure", "POST"): ACTS_ON_POLICE_CASE,
    ("support.end_measure", "GET"): ACTS_ON_POLICE_CASE,
    ("support.end_measure", "POST"): ACTS_ON_POLICE_CASE,
    ("support.follow_ups", "GET"): CASE_WORKERS,
    ("reports.index", "GET"): REPORT_READERS,
    ("reports.export", "POST"): REPORT_READERS,
    ("reports.approve", "POST"): SUPERVISOR_ONLY,
}


def _rules():
    import tempfile
    from pathlib import Path

    app = make_app("sqlite://", Path(tempfile.mkdtemp()))
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, rule.rule))
    return found


RULES = _rules()


def test_the_table_covers_every_route_and_nothing_else():
    assert {(e, m) for e, m, _ in RULES} == set(MATRIX)


def _url(rule: str, targets: dict) -> str:
    return re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", lambda m: targets[m.group(1)], rule)


def _category(response) -> str:
    location = response.headers.get("Location", "")
    if response.status_code == 302 and location.startswith("/login?next="):
        return "login"
    return {403: "forbidden", 404: "hidden"}.get(response.status_code, "ok")


@pytest.mark.parametrize("endpoint,method,rule", RULES, ids=[f"{m} {r}" for _, m, r in RULES])
def test_each_demo_user_gets_the_expected_answer(app, endpoint, method, rule):
    seed(app)
    reference = add_case(app, "police-demo")
    consent_id = add_consent(app, reference)
    referral_id = add_referral(app, reference, "health-demo", consent_id=consent_id)
    records = add_support_records(app, reference)
    approval_id = request_erasure(app, reference, "supervisor3")
    with db_session(app) as session:
        police = session.scalar(sa.select(Agency).where(Agency.code == "police-demo"))
        target_user = session.scalar(sa.select(User).where(User.username == "border1"))
        targets = {
            "reference": reference,
            "trigger": "suspend",
            "user_id": str(target_user.id),
            "agency_id": str(police.id),
            "action": "activate",
            "session_id": "",
            "filename": "",
            "referral_id": referral_id,
            "consent_id": consent_id,
            "approval_id": approval_id,
            "decision": "approve",
            "province_code": "15",
            **records,
        }
        if endpoint.startswith("referrals."):
            targets["trigger"] = "accept"
    expected = MATRIX[(endpoint, method)]
    if endpoint == "cases.workflow_svg" and shutil.which("dot") is None:
        expected = {u: ("hidden" if c == "ok" and u != "anonymous" else c) for u, c in expected.items()}
    answers = {}
    for username in USERS:
        client = app.test_client()
        if username != "anonymous":
            assert log_in(client, username, "victimcare-demo").status_code == 302
        if "<session_id>" in rule:
            with db_session(app) as session:
                targets["session_id"] = str(session.scalars(sa.select(UserSession.id)).first())
        url = _url(rule, targets)
        if method == "GET":
            response = client.get(url)
        else:
            token_page = "/login" if username == "anonymous" else "/"
            page = client.get(token_page).text
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
            response = client.post(url, data={"csrf_token": token})
        answers[username] = _category(response)
    assert answers == expected
