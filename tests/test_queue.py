"""The home page's work queue: each role's entries, their counts, the lists they open, empty states."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import add_case, add_consent, add_referral, db_session, post, request_erasure
from victimcare import queue
from victimcare.accounts.models import User
from victimcare.cases.models import Case
from victimcare.database import utcnow


@pytest.fixture
def login_as(login_as):
    """Demo users who read the app in English, so the tests read its labels."""

    def login(username: str):
        client = login_as(username)
        post(client, "/account/language", {"locale": "en", "next": "/"}, token_page="/")
        return client

    return login


def _case(app, agency="police-demo", worker=None, deadline_in=None, stage=None) -> str:
    reference = add_case(app, agency)
    with db_session(app) as session:
        case = session.scalar(sa.select(Case).where(Case.reference == reference))
        if worker:
            case.assigned_user_id = session.scalar(sa.select(User.id).where(User.username == worker))
        if deadline_in is not None:
            case.stage_deadline = utcnow() + deadline_in
        if stage:
            case.stage = stage
        session.commit()
    return reference


def _queue(app, username: str) -> dict:
    """The queue's entries by key, as ``queue.for_user`` computes them for the user."""
    with app.test_request_context(), db_session(app) as session:
        user = session.scalar(sa.select(User).where(User.username == username))
        return {entry.key: entry for section in queue.for_user(user) for entry in section.entries}


def _sections(app, username: str) -> list[str]:
    with app.test_request_context(), db_session(app) as session:
        user = session.scalar(sa.select(User).where(User.username == username))
        return [section.key for section in queue.for_user(user)]


def _count(page: str, key: str) -> str | None:
    match = re.search(rf'data-testid="count-{key}".*?badge[^>]*>([^<]+)<', page, re.S)
    return match and match.group(1)


def _references(page: str) -> set[str]:
    return set(re.findall(r'href="/cases/(VC-\d{4}-\d{6})"', page))


# -- which sections each role works in ---------------------------------------------------------------


def test_each_role_has_its_own_sections(seeded):
    assert _sections(seeded, "police1") == ["my_cases", "referrals"]
    assert _sections(seeded, "social1") == ["my_cases", "referrals", "support"]
    assert _sections(seeded, "health1") == ["my_cases", "referrals"]
    assert _sections(seeded, "supervisor1") == [
        "my_cases",
        "referrals",
        "support",
        "team",
        "approvals",
        "review",
    ]
    assert _sections(seeded, "auditor1") == ["review"]
    assert _sections(seeded, "admin1") == ["approvals"]
    assert _sections(seeded, "steering1") == []


# -- my cases ---------------------------------------------------------------------------------------


def test_my_cases_overdue_and_due_within_three_days_count_and_open_their_lists(login_as, seeded):
    overdue = _case(seeded, worker="police1", deadline_in=timedelta(hours=-2))
    soon = _case(seeded, worker="police1", deadline_in=timedelta(days=2))
    later = _case(seeded, worker="police1", deadline_in=timedelta(days=5))
    colleagues = _case(seeded, worker="supervisor3", deadline_in=timedelta(hours=-2))
    suspended = _case(seeded, worker="police1", deadline_in=timedelta(hours=-2), stage="suspended")
    entries = _queue(seeded, "police1")
    assert (entries["my_overdue"].count, entries["my_due_soon"].count) == (1, 1)
    assert [line.reference for line in entries["my_overdue"].lines] == [overdue]
    assert [line.reference for line in entries["my_due_soon"].lines] == [soon]

    police = login_as("police1")
    home = police.get("/").text
    assert (_count(home, "my_overdue"), _count(home, "my_due_soon")) == ("1", "1")
    assert {overdue, soon} <= _references(home)
    assert not {later, colleagues, suspended} & _references(home)
    overdue_list = police.get(entries["my_overdue"].url).text
    assert overdue in overdue_list and not {soon, later, colleagues, suspended} & _references(overdue_list)
    soon_list = police.get(entries["my_due_soon"].url)
    assert soon_list.status_code == 200
    assert _references(soon_list.text) == {soon}
    assert "due within 3 days" in soon_list.text  # the list says which filter is on


def test_unassigned_cases_show_for_workers_and_supervisors_of_the_agency(login_as, seeded):
    waiting = _case(seeded)  # imported or opened by nobody: nobody carries it
    _case(seeded, worker="police1")
    _case(seeded, "social-demo")
    assert _queue(seeded, "police1")["unassigned"].count == 1
    assert _queue(seeded, "supervisor3")["unassigned"].count == 1
    supervisor = login_as("supervisor3")
    listed = supervisor.get("/cases?unassigned=1").text
    assert _references(listed) == {waiting}


def test_the_unassigned_count_stops_at_the_cap(seeded, monkeypatch):
    monkeypatch.setattr(queue, "COUNT_CAP", 2)
    for _ in range(4):
        _case(seeded)
    entry = _queue(seeded, "police1")["unassigned"]
    assert entry.count == 3 and entry.shown_count == "2+"


def test_a_worker_with_nothing_waiting_is_told_what_to_do_next(login_as, seeded):
    page = login_as("police1").get("/").text
    assert 'data-testid="queue-empty"' in page and "Nothing waits for you today." in page
    assert 'data-testid="empty-my_cases"' in page and 'href="/cases/new"' in page
    assert 'data-testid="empty-referrals"' in page


# -- referrals ----------------------------------------------------------------------------------------


def test_referrals_waiting_for_the_agency_and_the_outbox_overdue_ones(login_as, seeded):
    reference = add_case(seeded, "police-demo")
    consent = add_consent(seeded, reference)
    waiting = add_referral(seeded, reference, "health-demo", consent_id=consent)
    late = add_referral(seeded, add_case(seeded, "police-demo"), "health-demo")
    with db_session(seeded) as session:
        from victimcare.referrals.models import Referral

        session.get(Referral, __import__("uuid").UUID(late)).answer_due_at = utcnow() - timedelta(hours=1)
        session.commit()
    health = _queue(seeded, "health1")["referrals_waiting"]
    assert health.count == 2 and health.tone == "danger"
    assert health.lines[0].url == f"/referrals/{late}" and health.lines[0].urgent
    assert health.lines[1].url == f"/referrals/{waiting}"
    assert _queue(seeded, "police1")["referrals_sent_overdue"].count == 1
    assert _queue(seeded, "police1")["referrals_waiting"].count == 0
    police = login_as("police1")
    assert _count(police.get("/").text, "referrals_sent_overdue") == "1"
    outbox = police.get("/referrals?box=outbox&overdue=1").text
    assert outbox.count('data-testid="referral-row"') == 1


# -- support --------------------------------------------------------------------------------------------


def _support_scene(app, worker="social1"):
    """A social-demo case carried by ``worker``: lodging begun 110 days ago, an application decided late,
    a visit overdue and one far off."""
    from victimcare.support.models import FollowUp, SupportService
    from victimcare.working_days import today

    reference = _case(app, "social-demo", worker=worker)
    with db_session(app) as session:
        day = today()
        case = session.scalar(sa.select(Case).where(Case.reference == reference))
        common = dict(case=case, person_id=case.victim_id, beneficiary="victim")
        session.add_all(
            [
                SupportService(
                    **common,
                    support_type="essential_needs",
                    status="in_progress",
                    starts_on=day - timedelta(110),
                ),
                SupportService(
                    **common,
                    support_type="essential_needs",
                    status="in_progress",
                    starts_on=day - timedelta(30),
                ),
                SupportService(
                    **common,
                    support_type="schooling",
                    status="planned",
                    applied_on=day - timedelta(30),
                    decision_due_on=day - timedelta(5),
                ),
                SupportService(
                    **common,
                    support_type="hardship",
                    status="planned",
                    applied_on=day - timedelta(30),
                    decision_due_on=day - timedelta(5),
                    decided_on=day - timedelta(6),
                ),
                FollowUp(case=case, due_on=day - timedelta(3)),
                FollowUp(case=case, due_on=day + timedelta(60)),
                FollowUp(case=case, due_on=day - timedelta(20), done_on=day - timedelta(20)),
            ]
        )
        session.commit()
    return reference, day


def test_lodging_limits_decisions_and_visits_falling_due_on_my_cases(login_as, seeded):
    reference, day = _support_scene(seeded)
    entries = _queue(seeded, "social1")
    assert entries["follow_ups_due"].count == 1 and entries["follow_ups_due"].lines[0].urgent
    due = entries["support_due"]
    assert due.count == 2  # the lodging limit in 10 days, the schooling decision 5 days late
    assert [line.urgent for line in due.lines] == [True, False]
    assert all(line.url == f"/cases/{reference}#support" for line in due.lines)
    assert _queue(seeded, "supervisor1")["support_due"].count == 0  # not carried by them

    social = login_as("social1")
    home = social.get("/").text
    assert (_count(home, "support_due"), _count(home, "follow_ups_due")) == ("2", "1")
    assert _references(social.get("/cases?support_due=1").text) == {reference}
    visits = social.get("/follow-ups?mine=1").text
    assert 'data-testid="only-mine"' in visits and visits.count('data-overdue="yes"') == 1


def test_an_extended_lodging_limit_is_no_longer_due(seeded):
    from victimcare.support.models import LodgingExtension, SupportService

    _support_scene(seeded)
    with db_session(seeded) as session:
        lodging = session.scalars(
            sa.select(SupportService).where(SupportService.support_type == "essential_needs")
        ).first()
        session.add(
            LodgingExtension(
                service=lodging, decided_on=date.today(), new_end_on=date.today() + timedelta(90)
            )
        )
        session.commit()
    assert _queue(seeded, "social1")["support_due"].count == 1  # the decision only


def test_support_work_on_a_case_referred_to_the_agency_counts_for_its_workers(seeded):
    reference, _day = _support_scene(seeded, worker=None)
    with db_session(seeded) as session:
        case = session.scalar(sa.select(Case).where(Case.reference == reference))
        case.owning_agency_id = session.scalar(
            sa.select(User.agency_id).where(User.username == "police1")
        )  # the police own it, social affairs work on it under a referral
        session.commit()
    assert _queue(seeded, "social1")["support_due"].count == 0
    consent = add_consent(seeded, reference, purposes=("shelter_essential_needs",))
    referral = add_referral(
        seeded, reference, "social-demo", consent_id=consent, purpose="shelter_essential_needs"
    )
    with db_session(seeded) as session:
        from victimcare.referrals.models import Referral

        session.get(Referral, __import__("uuid").UUID(referral)).status = "accepted"
        session.commit()
    assert _queue(seeded, "social1")["support_due"].count == 2
    assert _queue(seeded, "supervisor1")["follow_ups_due"].count == 1


# -- supervisors and auditors ------------------------------------------------------------------------------


def test_a_supervisor_sees_closures_ready_erasures_waiting_and_the_caseload_link(login_as, seeded):
    from victimcare.support.models import FollowUp

    ready = _case(seeded, "social-demo", worker="social1", stage="reintegration")
    not_ready = _case(seeded, "social-demo", worker="social1", stage="reintegration")
    with db_session(seeded) as session:
        for reference, done in ((ready, True), (not_ready, False)):
            case = session.scalar(sa.select(Case).where(Case.reference == reference))
            session.add(
                FollowUp(case=case, due_on=date(2026, 1, 1), done_on=date(2026, 1, 1) if done else None)
            )
        session.commit()
    request_erasure(seeded, _case(seeded, "social-demo"), "supervisor2")
    entries = _queue(seeded, "supervisor1")
    assert entries["closures"].count == 1 and entries["closures"].lines[0].reference == ready
    assert entries["erasures"].count == 1
    assert _queue(seeded, "supervisor2")["erasures"].count == 0  # asked by them: another decides
    supervisor = login_as("supervisor1")
    home = supervisor.get("/").text
    assert 'href="/cases/caseload"' in home
    assert _references(supervisor.get("/cases?closing=1").text) == {ready}


def test_unreviewed_flags_count_for_auditors_and_supervisors(login_as, seeded, client, monkeypatch):
    from victimcare.audit import review

    monkeypatch.setattr(review, "after_hours", lambda moment: False)  # whatever the hour the test runs
    assert _queue(seeded, "auditor1")["flags"].count == 0
    post(client, "/login", {"username": "police1", "password": "wrong password"})  # refused: flagged
    add_referral(seeded, add_case(seeded, "police-demo"), "health-demo")  # on a legal basis: flagged
    assert _queue(seeded, "auditor1")["flags"].count == 2
    assert _queue(seeded, "supervisor1")["flags"].count == 1  # the referral, in their province
    page = login_as("auditor1").get("/").text
    assert _count(page, "flags") == "2" and 'href="/audit"' in page


def test_the_home_page_opens_no_personal_data_and_logs_no_view(login_as, seeded):
    from victimcare.audit.models import AuditEvent

    reference = _case(seeded, worker="police1", deadline_in=timedelta(hours=-1))
    police = login_as("police1")
    with db_session(seeded) as session:
        before = session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    page = police.get("/").text
    assert reference in page and "Người Thử Nghiệm" not in page
    with db_session(seeded) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before


@pytest.mark.parametrize("value", ["not-a-uuid", "\x00", "00000000-0000-0000-0000-000000000000"])
def test_a_tampered_worker_filter_shows_an_empty_list(login_as, seeded, value):
    _case(seeded, worker="police1")
    response = login_as("police1").get("/cases", query_string={"assigned": value})
    assert response.status_code in (200, 400) and not _references(response.text)
