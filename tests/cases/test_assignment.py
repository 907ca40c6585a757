"""Who carries a case: taking, (re)assigning, a transfer's acceptor, the caseload page; history and log."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.helpers import add_case, add_consent, add_referral, db_session, post
from victimcare.accounts.models import User
from victimcare.audit.models import AuditEvent
from victimcare.cases.models import Case, CaseAssignment


@pytest.fixture
def login_as(login_as):
    """Demo users who read the app in English, so the tests read its messages."""

    def login(username: str):
        client = login_as(username)
        post(client, "/account/language", {"locale": "en", "next": "/"}, token_page="/")
        return client

    return login


@pytest.fixture
def police_case(seeded):
    return add_case(seeded, "police-demo", full_name="Lò Thị Xuyến")


def _worker(app, reference: str) -> str | None:
    with db_session(app) as session:
        case = session.scalar(sa.select(Case).where(Case.reference == reference))
        return case.assigned_user.username if case.assigned_user else None


def _user_id(app, username: str) -> str:
    with db_session(app) as session:
        return str(session.scalar(sa.select(User.id).where(User.username == username)))


def _version(client, reference: str) -> str:
    page = client.get(f"/cases/{reference}").text
    return re.search(r'id="version" name="version" type="hidden" value="(\d+)"', page).group(1)


def _take(client, reference: str, **data):
    return post(client, f"/cases/{reference}/take", data, token_page=f"/cases/{reference}")


def _assign(client, reference: str, username: str | None, app, **data):
    user = _user_id(app, username) if username else ""
    return post(
        client, f"/cases/{reference}/assign", {"user": user, **data}, token_page=f"/cases/{reference}"
    )


def test_a_worker_takes_an_unassigned_case_and_it_is_in_their_list_history_and_the_log(
    login_as, seeded, police_case
):
    police = login_as("police1")
    page = police.get(f"/cases/{police_case}").text
    assert 'data-testid="unassigned"' in page and 'data-testid="take"' in page
    assert police_case not in police.get("/cases?mine=1").text
    response = _take(police, police_case, version=_version(police, police_case))
    assert response.status_code == 302 and response.headers["Location"].endswith("#assignment")
    assert _worker(seeded, police_case) == "police1"
    assert police_case in police.get("/cases?mine=1").text
    page = police.get(f"/cases/{police_case}").text
    assert 'data-testid="assignment-step"' in page and "Trần Văn Hùng" in page
    assert 'data-testid="take"' not in page
    with db_session(seeded) as session:
        event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "assign"))
        assert (event.case_reference, event.purpose, event.actor_username) == (
            police_case,
            "taken",
            "police1",
        )
        assert event.detail == {"to": "police1", "from": None}
        assert session.scalar(sa.select(sa.func.count()).select_from(CaseAssignment)) == 1


def test_a_case_someone_carries_cannot_be_taken(login_as, seeded, police_case):
    assert _take(login_as("police1"), police_case).status_code == 302
    supervisor = login_as("supervisor3")
    page = supervisor.get(f"/cases/{police_case}").text
    assert 'data-testid="take"' not in page
    response = _take(supervisor, police_case, version=_version(supervisor, police_case))
    assert response.status_code == 302
    assert "Someone already carries this case" in supervisor.get(f"/cases/{police_case}").text
    assert _worker(seeded, police_case) == "police1"


def test_a_stale_page_does_not_take_a_case_changed_since(login_as, seeded, police_case):
    police = login_as("police1")
    version = _version(police, police_case)
    assert _assign(login_as("supervisor3"), police_case, "supervisor3", seeded).status_code == 302
    response = _take(police, police_case, version=version)
    assert response.status_code == 302
    assert "Someone changed this case at the same moment" in police.get(f"/cases/{police_case}").text
    assert _worker(seeded, police_case) == "supervisor3"


def test_other_agencies_and_closed_cases_cannot_be_taken(login_as, seeded, police_case):
    assert _take(login_as("border1"), police_case).status_code == 404
    assert _take(login_as("supervisor1"), police_case).status_code == 403  # sees it, another agency's
    with db_session(seeded) as session:
        case = session.scalar(sa.select(Case).where(Case.reference == police_case))
        case.stage = "closed"
        session.commit()
    police = login_as("police1")
    assert _take(police, police_case).status_code == 302
    assert _worker(seeded, police_case) is None
    assert "This case is closed" in police.get(f"/cases/{police_case}").text


def test_a_supervisor_assigns_and_reassigns_within_the_agency(login_as, seeded, police_case):
    supervisor = login_as("supervisor3")
    assert 'data-testid="assign"' in supervisor.get(f"/cases/{police_case}").text
    assert _assign(supervisor, police_case, "police1", seeded).status_code == 302
    assert _worker(seeded, police_case) == "police1"
    assert _assign(supervisor, police_case, "supervisor3", seeded).status_code == 302
    assert _worker(seeded, police_case) == "supervisor3"
    page = login_as("police1").get(f"/cases/{police_case}").text
    assert page.count('data-testid="assignment-step"') == 2
    assert "Bùi Văn Toàn" in page  # the supervisor, named in the history
    with db_session(seeded) as session:
        details = [
            e.detail
            for e in session.scalars(
                sa.select(AuditEvent).where(AuditEvent.action == "assign").order_by(AuditEvent.seq)
            )
        ]
    assert details == [{"to": "police1", "from": None}, {"to": "supervisor3", "from": "police1"}]


@pytest.mark.parametrize(
    "choice, message",
    [
        ("social1", "Choose a worker of the agency that holds the case."),  # another agency's worker
        (
            "steering1",
            "Choose a worker of the agency that holds the case.",
        ),  # police-demo, reads figures only
        (None, "This field is required."),
    ],
)
def test_a_supervisor_cannot_assign_outside_the_agencys_workers(
    login_as, seeded, police_case, choice, message
):
    supervisor = login_as("supervisor3")
    assert _assign(supervisor, police_case, choice, seeded).status_code == 302
    assert message in supervisor.get(f"/cases/{police_case}").text
    assert _worker(seeded, police_case) is None


def test_a_tampered_choice_is_refused_with_a_message(login_as, seeded, police_case):
    supervisor = login_as("supervisor3")
    for value in ("not-a-uuid", "\x00", "00000000-0000-0000-0000-000000000000"):
        response = post(supervisor, f"/cases/{police_case}/assign", {"user": value}, token_page="/")
        assert response.status_code == 302
    assert _worker(seeded, police_case) is None


def test_only_the_owning_agencys_supervisors_assign(login_as, seeded, police_case):
    assert _assign(login_as("police1"), police_case, "police1", seeded).status_code == 403
    assert _assign(login_as("supervisor1"), police_case, "social1", seeded).status_code == 403
    assert 'data-testid="assign"' not in login_as("police1").get(f"/cases/{police_case}").text
    assert _worker(seeded, police_case) is None


def _transfer(app, reference: str) -> str:
    consent = add_consent(app, reference, agency_kinds=("social_affairs",), purposes=("protection",))
    return add_referral(
        app, reference, "social-demo", consent_id=consent, purpose="protection", kind="transfer"
    )


def _accept(client, referral_id: str, **data):
    return post(client, f"/referrals/{referral_id}/accept", data, token_page=f"/referrals/{referral_id}")


def test_accepting_a_transfer_assigns_the_acceptor_and_assigned_to_me_finds_it(login_as, seeded, police_case):
    assert _take(login_as("police1"), police_case).status_code == 302
    referral_id = _transfer(seeded, police_case)
    social = login_as("social1")
    page = social.get(f"/referrals/{referral_id}").text
    assert 'data-testid="assign-to"' in page and "Hoàng Minh Đức" in page  # colleagues offered
    assert _accept(social, referral_id).status_code == 302
    assert _worker(seeded, police_case) == "social1"
    assert police_case in social.get("/cases?mine=1").text
    page = social.get(f"/cases/{police_case}").text
    assert "Transfer accepted: assigned to Nguyễn Thị Lan" in page
    assert "Before: Trần Văn Hùng" in page


def test_the_acceptor_may_give_a_transfer_to_a_colleague(login_as, seeded, police_case):
    referral_id = _transfer(seeded, police_case)
    assert (
        _accept(login_as("social1"), referral_id, assign_to=_user_id(seeded, "supervisor1")).status_code
        == 302
    )
    assert _worker(seeded, police_case) == "supervisor1"
    assert police_case in login_as("supervisor1").get("/cases?mine=1").text


@pytest.mark.parametrize("colleague", ["police1", "auditor1", "nonsense"])
def test_a_transfer_is_not_given_to_someone_who_cannot_carry_it(login_as, seeded, police_case, colleague):
    referral_id = _transfer(seeded, police_case)
    value = colleague if colleague == "nonsense" else _user_id(seeded, colleague)
    response = _accept(login_as("social1"), referral_id, assign_to=value)
    assert response.status_code == 400
    assert "Choose a worker of the agency that holds the case." in response.text
    with db_session(seeded) as session:
        case = session.scalar(sa.select(Case).where(Case.reference == police_case))
        assert case.owning_agency.code == "police-demo"  # nothing accepted


def test_an_ordinary_referral_leaves_the_worker_alone(login_as, seeded, police_case):
    assert _take(login_as("police1"), police_case).status_code == 302
    consent = add_consent(seeded, police_case)
    referral_id = add_referral(seeded, police_case, "health-demo", consent_id=consent)
    assert _accept(login_as("health1"), referral_id).status_code == 302
    assert _worker(seeded, police_case) == "police1"


def test_the_caseload_page_counts_each_workers_open_and_overdue_cases(login_as, seeded):
    from datetime import timedelta

    from victimcare.database import utcnow

    references = [add_case(seeded, "police-demo") for _ in range(4)]
    supervisor = login_as("supervisor3")
    for reference in references[:3]:
        assert _assign(supervisor, reference, "police1", seeded).status_code == 302
    with db_session(seeded) as session:
        first = session.scalar(sa.select(Case).where(Case.reference == references[0]))
        first.stage_deadline = utcnow() - timedelta(days=1)
        session.commit()
    page = supervisor.get("/cases/caseload")
    assert page.status_code == 200
    rows = re.findall(r'data-testid="caseload-row".*?</tr>', page.text, re.S)
    text = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]
    police1 = next(row for row in text if "Trần Văn Hùng" in row)
    assert police1.split()[-3:] == ["3", "1", "2"]  # open, overdue, due within 3 days (intake: 24 hours)
    assert any("Bùi Văn Toàn" in row and row.split()[-3:] == ["0", "0", "0"] for row in text)
    assert text[-1].split()[-3:] == ["1", "0", "1"]  # the one nobody carries
    assert f"assigned={_user_id(seeded, 'police1')}" in page.text
    listed = supervisor.get(f"/cases?assigned={_user_id(seeded, 'police1')}&open=1").text
    assert all(r in listed for r in references[:3]) and references[3] not in listed
    assert 'data-testid="queue-filters"' in listed


def test_the_caseload_page_names_cases_left_with_someone_who_left(login_as, seeded):
    reference = add_case(seeded, "police-demo")
    assert _assign(login_as("supervisor3"), reference, "police1", seeded).status_code == 302
    with db_session(seeded) as session:
        session.scalar(sa.select(User).where(User.username == "police1")).active = False
        session.commit()
    page = login_as("supervisor3").get("/cases/caseload").text
    assert "no longer works here" in page


def test_the_caseload_page_is_for_supervisors(login_as, seeded):
    for username in ("police1", "social1", "auditor1", "admin1"):
        assert login_as(username).get("/cases/caseload").status_code == 403
