"""Handoffs between agencies: scoped access, consent, transfers, deadlines, races."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import add_case, add_consent, add_referral, csrf_token, db_session, post
from victimcare.audit.models import AuditEvent
from victimcare.cases.models import Case
from victimcare.referrals.models import Referral
from workflows.referral import ReferralStatus


def _today_in_vietnam() -> str:
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y")


WITHDRAWAL = {"withdrawn_on": _today_in_vietnam(), "reason": "Chị không muốn chia sẻ nữa", "confirm": "y"}


@pytest.fixture
def police_case(seeded):
    reference = add_case(
        seeded,
        "police-demo",
        full_name="Lò Thị Xuyến",
        phone="0912345678",
        home_address="Bản Sà Phìn, Đồng Văn",
    )
    return reference


def _referral(app, referral_id: str) -> Referral:
    with db_session(app) as session:
        referral = session.get(Referral, uuid.UUID(referral_id))
        session.expunge(referral)
        return referral


def _owner(app, reference: str) -> str:
    with db_session(app) as session:
        case = session.scalar(sa.select(Case).where(Case.reference == reference))
        return case.owning_agency.code


def _answer(client, referral_id: str, trigger: str, **data):
    return post(client, f"/referrals/{referral_id}/{trigger}", data, token_page=f"/referrals/{referral_id}")


def test_the_receiver_opens_the_case_only_after_accepting_and_sees_only_what_was_shared(
    login_as, seeded, police_case
):
    consent = add_consent(seeded, police_case)
    referral_id = add_referral(seeded, police_case, "health-demo", consent_id=consent, groups=("identity",))
    health = login_as("health1")
    assert health.get(f"/cases/{police_case}").status_code == 404
    assert police_case not in health.get("/cases").text
    inbox = health.get("/referrals").text
    assert police_case in inbox
    assert re.search(r'data-testid="referral-count"[^>]*>1<', health.get("/").text)
    assert _answer(health, referral_id, "accept").status_code == 302
    page = health.get(f"/cases/{police_case}")
    assert page.status_code == 200 and "Lò Thị Xuyến" in page.text
    assert "0912345678" not in page.text and "Sà Phìn" not in page.text  # contact was not shared
    assert police_case in health.get("/cases").text
    assert "Xuy" in health.get("/cases").text  # the list shows the identity that was shared


def test_the_receivers_case_page_asks_for_its_accepted_referral_once(login_as, seeded, police_case):
    from victimcare.extensions import db

    consent = add_consent(seeded, police_case)
    referral_id = add_referral(seeded, police_case, "health-demo", consent_id=consent, groups=("identity",))
    health = login_as("health1")
    _answer(health, referral_id, "accept")
    asked = []

    def count(conn, cursor, statement, *args):
        if "FROM referrals" in statement and "referrals.case_id = " in statement:
            asked.append(statement)

    with seeded.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert health.get(f"/cases/{police_case}").status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    # can it see the case, which groups, may it record medical care, which referrals to list: one read
    assert len(asked) == 1, asked


@pytest.mark.parametrize("ending", ["complete", "withdraw", "consent"])
def test_the_receiver_loses_access_when_the_referral_ends(login_as, seeded, police_case, ending):
    consent = add_consent(seeded, police_case)
    referral_id = add_referral(seeded, police_case, "health-demo", consent_id=consent)
    health, police = login_as("health1"), login_as("police1")
    _answer(health, referral_id, "accept")
    assert health.get(f"/cases/{police_case}").status_code == 200
    if ending == "complete":
        assert _answer(health, referral_id, "complete").status_code == 302
    elif ending == "withdraw":
        assert _answer(police, referral_id, "withdraw").status_code == 302
    else:
        response = post(police, f"/cases/{police_case}/consents/{consent}/withdraw", WITHDRAWAL)
        assert response.status_code == 302
    assert health.get(f"/cases/{police_case}").status_code == 404
    assert police_case not in health.get("/cases").text
    expected = {
        "complete": ReferralStatus.COMPLETED,
        "withdraw": ReferralStatus.WITHDRAWN,
        "consent": ReferralStatus.WITHDRAWN,
    }[ending]
    assert _referral(seeded, referral_id).status == expected


def test_a_transfer_moves_the_case_into_the_receivers_list(login_as, seeded, police_case):
    referral_id = add_referral(
        seeded,
        police_case,
        "social-demo",
        purpose="protection",
        kind="transfer",
        groups=("identity", "contact"),
        legal_basis="danger_to_life",
    )
    social = login_as("social1")
    assert _answer(social, referral_id, "accept").status_code == 302
    assert _owner(seeded, police_case) == "social-demo"
    assert police_case in social.get("/cases").text
    assert _referral(seeded, referral_id).status == ReferralStatus.COMPLETED
    police = login_as("police1")
    assert police.get(f"/cases/{police_case}").status_code == 404  # police handed it over
    history = social.get(f"/cases/{police_case}").text
    assert 'data-testid="referral-step"' in history


def test_a_crash_in_the_middle_of_a_transfer_leaves_the_case_with_its_old_owner(
    login_as, seeded, police_case, monkeypatch
):
    from victimcare.audit import operations as audit

    referral_id = add_referral(
        seeded,
        police_case,
        "social-demo",
        purpose="protection",
        kind="transfer",
        groups=("identity",),
        legal_basis="danger_to_life",
    )
    social = login_as("social1")
    real_record = audit.record

    def crash_after_owner_changed(action, **kwargs):
        if action == "update" and kwargs.get("purpose") == "transfer":
            raise RuntimeError("power cut")
        return real_record(action, **kwargs)

    monkeypatch.setattr(audit, "record", crash_after_owner_changed)
    monkeypatch.setitem(seeded.config, "PROPAGATE_EXCEPTIONS", False)
    assert _answer(social, referral_id, "accept").status_code == 500
    monkeypatch.undo()
    assert _owner(seeded, police_case) == "police-demo"
    assert _referral(seeded, referral_id).status == ReferralStatus.PENDING
    assert social.get(f"/cases/{police_case}").status_code == 404


def test_sharing_without_consent_for_that_agency_and_purpose_is_refused(login_as, seeded, police_case):
    consent = add_consent(
        seeded, police_case, agency_kinds=("social_affairs",), purposes=("shelter_essential_needs",)
    )
    police = login_as("police1")
    with db_session(seeded) as session:
        from victimcare.accounts.models import Agency

        health = session.scalar(sa.select(Agency).where(Agency.code == "health-demo"))
    url = f"/cases/{police_case}/referrals/new?purpose=medical_care"
    response = post(
        police,
        url,
        {
            "kind": "referral",
            "to_agency": str(health.id),
            "urgency": "normal",
            "groups": ["identity"],
            "legal_basis": "consent",
            "consent": consent,
        },
    )
    assert response.status_code == 400
    assert "không bao gồm" in response.text or "does not cover" in response.text
    with db_session(seeded) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 0


def test_the_sender_previews_what_the_receiver_will_see_then_sends(login_as, seeded, police_case):
    consent = add_consent(seeded, police_case)
    police = login_as("police1")
    with db_session(seeded) as session:
        from victimcare.accounts.models import Agency

        health = session.scalar(sa.select(Agency).where(Agency.code == "health-demo"))
    url = f"/cases/{police_case}/referrals/new?purpose=medical_care"
    form = police.get(url).text
    assert 'value="identity" checked' in form and 'value="contact" checked' not in form  # the minimum
    data = {
        "kind": "referral",
        "to_agency": str(health.id),
        "urgency": "urgent",
        "groups": ["identity"],
        "legal_basis": "consent",
        "consent": consent,
        "message": "Cần khám sức khỏe",
    }
    preview = post(police, url, data)
    assert preview.status_code == 200 and 'data-testid="preview"' in preview.text
    assert "Lò Thị Xuyến" in preview.text and "0912345678" not in preview.text
    with db_session(seeded) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 0
    sent = post(police, url, {**data, "confirmed": "yes"})
    assert sent.status_code == 302
    with db_session(seeded) as session:
        referral = session.scalars(sa.select(Referral)).one()
        assert referral.shared_groups == ["identity"] and referral.urgency == "urgent"
        assert referral.answer_due_at - referral.sent_at == timedelta(hours=24)
        [event] = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "refer")).all()
        assert event.fields == ["identity"] and event.detail["legal_basis"] == "consent"
        raw = repr(session.execute(sa.text("SELECT * FROM referrals")).all())
    assert "sức khỏe" not in raw and "Cần khám" not in raw  # the message is sealed


def _agency_id(app, code: str) -> str:
    from victimcare.accounts.models import Agency

    with db_session(app) as session:
        return str(session.scalar(sa.select(Agency.id).where(Agency.code == code)))


@pytest.mark.parametrize(
    "owner, sender, secrets",
    [
        # A case the police transferred to social affairs: its investigation notes stay on it.
        ("social-demo", "social1", {"investigation_notes": "Đối tượng Vàng A Páo khai nhận"}),
        # A health station holding a case: it reads identity and medical only.
        (
            "health-demo",
            "health1",
            {"narrative": "Bị lừa sang biên giới", "investigation_notes": "Vàng A Páo"},
        ),
    ],
)
def test_a_transfer_preview_shows_only_what_the_sender_may_read_and_names_the_rest(
    login_as, seeded, owner, sender, secrets
):
    reference = add_case(
        seeded, owner, full_name="Lò Thị Xuyến", phone="0912345678", home_address="Bản Sà Phìn, Đồng Văn"
    )
    with db_session(seeded) as session:
        case = session.scalar(sa.select(Case).where(Case.reference == reference))
        for name, value in secrets.items():
            setattr(case, name, value)
        session.commit()
    client = login_as(sender)
    url = f"/cases/{reference}/referrals/new?purpose=verification"
    preview = post(
        client,
        url,
        {
            "kind": "transfer",
            "to_agency": _agency_id(seeded, "police-demo"),
            "urgency": "normal",
            "groups": ["identity"],
            "legal_basis": "criminal_investigation",
        },
    )
    assert preview.status_code == 200 and 'data-testid="preview"' in preview.text
    assert "Lò Thị Xuyến" in preview.text  # identity: the sender reads it
    shown = preview.text
    for value in secrets.values():
        assert value not in shown
    unseen = re.search(r'data-testid="preview-unseen">([^<]*)<', shown).group(1)
    assert "Điều tra" in unseen  # the investigation part is named, not shown
    if sender == "health1":
        assert "0912345678" not in shown and "Sà Phìn" not in shown
        assert "Liên lạc" in unseen and "Bóc lột và lời kể" in unseen
    with db_session(seeded) as session:
        event = session.scalars(sa.select(AuditEvent).where(AuditEvent.purpose == "referral_preview")).one()
        assert "investigation" not in event.fields and "identity" in event.fields


def test_sharing_a_part_the_receivers_work_does_not_need_is_refused(login_as, seeded, police_case):
    police = login_as("police1")
    with db_session(seeded) as session:
        from victimcare.accounts.models import Agency

        health = session.scalar(sa.select(Agency).where(Agency.code == "health-demo"))
    url = f"/cases/{police_case}/referrals/new?purpose=medical_care"
    response = post(
        police,
        url,
        {
            "kind": "referral",
            "to_agency": str(health.id),
            "urgency": "normal",
            "groups": ["identity", "investigation"],
            "legal_basis": "criminal_investigation",
        },
    )
    assert response.status_code == 400 and 'data-testid="refusal"' in response.text


def test_a_legal_basis_instead_of_consent_is_recorded_and_flagged(login_as, seeded, police_case):
    referral_id = add_referral(seeded, police_case, "health-demo", legal_basis="criminal_investigation")
    page = login_as("police1").get(f"/referrals/{referral_id}").text
    assert "badge text-bg-warning" in page
    with db_session(seeded) as session:
        event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "refer"))
        assert event.detail["legal_basis"] == "criminal_investigation"


def test_a_decline_needs_a_reason_and_is_kept_sealed(login_as, seeded, police_case):
    referral_id = add_referral(seeded, police_case, "health-demo")
    health = login_as("health1")
    refused = _answer(health, referral_id, "decline", reason="  ")
    assert refused.status_code == 400 and _referral(seeded, referral_id).status == ReferralStatus.PENDING
    assert _answer(health, referral_id, "decline", reason="Không có bác sĩ tâm lý").status_code == 302
    assert _referral(seeded, referral_id).status == ReferralStatus.DECLINED
    assert "Không có bác sĩ tâm lý" in login_as("police1").get(f"/referrals/{referral_id}").text
    assert health.get(f"/cases/{police_case}").status_code == 404


def _views_of(app, referral_id: str) -> list[tuple[str, list[str]]]:
    with db_session(app) as session:
        return [
            (e.actor_username, e.fields)
            for e in session.scalars(
                sa.select(AuditEvent)
                .where(AuditEvent.action == "view", AuditEvent.object_id == referral_id)
                .order_by(AuditEvent.seq)
            )
        ]


def test_every_page_that_opens_a_referral_text_logs_it(login_as, seeded, police_case):
    """A decline reason with no message was shown without a view event; now each opened text is named."""
    referral_id = add_referral(seeded, police_case, "health-demo")  # no message
    health = login_as("health1")
    health.get(f"/referrals/{referral_id}")
    assert _views_of(seeded, referral_id) == []  # nothing sealed was opened
    assert _answer(health, referral_id, "decline", reason="Không có bác sĩ tâm lý").status_code == 302
    page = login_as("police1").get(f"/referrals/{referral_id}").text
    assert "Không có bác sĩ tâm lý" in page
    assert _views_of(seeded, referral_id) == [("police1", ["referral_decline_reason"])]


@pytest.mark.parametrize("end", ["decline", "withdraw", "expire", "withdraw_consent"])
def test_an_ended_referral_shows_the_receiver_nothing_sealed(login_as, seeded, police_case, end):
    consent = add_consent(seeded, police_case)
    referral_id = add_referral(
        seeded, police_case, "health-demo", consent_id=consent, message="Chị Xuyến cần khám thai gấp"
    )
    health, police = login_as("health1"), login_as("police1")
    assert "Chị Xuyến cần khám thai" in health.get(f"/referrals/{referral_id}").text  # while it is open
    assert _views_of(seeded, referral_id) == [("health1", ["referral_message"])]
    if end == "decline":
        assert _answer(health, referral_id, "decline", reason="Hết giường").status_code == 302
    elif end == "withdraw":
        assert _answer(police, referral_id, "withdraw").status_code == 302
    elif end == "expire":
        with db_session(seeded) as session:
            session.get(Referral, uuid.UUID(referral_id)).answer_due_at = datetime.now(UTC) - timedelta(
                hours=1
            )
            session.commit()
        assert seeded.test_cli_runner().invoke(args=["referrals", "expire"]).exit_code == 0
    else:
        assert _answer(health, referral_id, "accept").status_code == 302
        response = post(police, f"/cases/{police_case}/consents/{consent}/withdraw", WITHDRAWAL)
        assert response.status_code == 302
    assert _referral(seeded, referral_id).status not in ("pending", "accepted")
    before = _views_of(seeded, referral_id)
    page = health.get(f"/referrals/{referral_id}")
    assert page.status_code == 200 and "Chị Xuyến" not in page.text and "Hết giường" not in page.text
    assert _views_of(seeded, referral_id) == before  # nothing opened, nothing to log
    assert "Chị Xuyến cần khám thai" in police.get(f"/referrals/{referral_id}").text  # the sender keeps it
    assert _views_of(seeded, referral_id)[-1][0] == "police1"


def test_only_the_other_side_may_answer(login_as, seeded, police_case):
    referral_id = add_referral(seeded, police_case, "health-demo")
    police = login_as("police1")
    response = _answer(police, referral_id, "accept")
    assert response.status_code == 400 and _referral(seeded, referral_id).status == ReferralStatus.PENDING
    assert _answer(login_as("social1"), referral_id, "accept").status_code == 404


def test_a_second_answer_from_a_stale_page_gets_a_clear_message(login_as, seeded, police_case):
    referral_id = add_referral(seeded, police_case, "health-demo")
    first, second = login_as("health1"), login_as("health1")
    token_first = first.get(f"/referrals/{referral_id}").text
    token_second = second.get(f"/referrals/{referral_id}").text

    def form_data(page):
        return {
            "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1),
            "version": re.search(r'name="version"[^>]*value="(\d+)"', page).group(1),
        }

    assert first.post(f"/referrals/{referral_id}/accept", data=form_data(token_first)).status_code == 302
    late = second.post(
        f"/referrals/{referral_id}/decline", data={**form_data(token_second), "reason": "Hết chỗ"}
    )
    assert late.status_code == 409 and 'data-testid="refusal"' in late.text
    assert _referral(seeded, referral_id).status == ReferralStatus.ACCEPTED


def test_expire_marks_overdue_referrals_once(seeded, police_case):
    referral_id = add_referral(seeded, police_case, "health-demo", urgency="urgent")
    with db_session(seeded) as session:
        referral = session.get(Referral, uuid.UUID(referral_id))
        referral.answer_due_at = datetime.now(UTC) - timedelta(minutes=1)
        session.commit()
    runner = seeded.test_cli_runner()
    assert "1 referral(s) expired" in runner.invoke(args=["referrals", "expire"]).output
    assert "0 referral(s) expired" in runner.invoke(args=["referrals", "expire"]).output
    assert _referral(seeded, referral_id).status == ReferralStatus.EXPIRED
    with db_session(seeded) as session:
        assert len(session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "expire")).all()) == 1


def test_a_normal_referral_is_due_in_three_working_days_skipping_weekends_and_holidays(seeded):
    from victimcare.referrals.operations import answer_due

    with seeded.app_context():
        # Friday 24 April 2026, 10:00 in Vietnam; Monday 27 April is the Hùng Kings' day off (in the data).
        sent = datetime(2026, 4, 24, 3, 0, tzinfo=UTC)
        due = answer_due(sent, "normal")
    # Tue 28, Wed 29 are working days, Thu 30 April is a holiday, Fri 1 May too: Mon 4 May 23:59 local.
    assert due == datetime(2026, 5, 4, 16, 59, 59, tzinfo=UTC)


def test_consent_for_a_child_is_given_by_a_guardian(login_as, seeded):
    from datetime import date

    reference = add_case(seeded, "police-demo", full_name="Giàng Thị Mỷ", date_of_birth=date(2014, 3, 1))
    police = login_as("police1")
    data = {
        "given_by": "person",
        "agency_kinds": ["health"],
        "purposes": ["medical_care"],
        "method": "signed_form",
        "given_at": "01/11/2026 09:00",
    }
    refused = post(police, f"/cases/{reference}/consents/new", data)
    assert refused.status_code == 400 and 'data-testid="refusal"' in refused.text
    accepted = post(
        police,
        f"/cases/{reference}/consents/new",
        {**data, "given_by": "guardian", "guardian_name": "Giàng A Páo"},
    )
    assert accepted.status_code == 302
    with db_session(seeded) as session:
        event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "consent"))
        assert event.detail["purposes"] == ["medical_care"]
        assert "Páo" not in repr(session.execute(sa.text("SELECT * FROM consents")).all())


def test_verbal_consent_needs_a_witness(login_as, seeded, police_case):
    response = post(
        login_as("police1"),
        f"/cases/{police_case}/consents/new",
        {
            "given_by": "person",
            "agency_kinds": ["health"],
            "purposes": ["medical_care"],
            "method": "verbal_with_witness",
            "given_at": "01/11/2026 09:00",
        },
    )
    assert response.status_code == 400 and 'data-testid="refusal"' in response.text


def test_sharing_on_a_legal_basis_is_flagged_in_the_confidentiality_log(login_as, seeded, police_case):
    add_referral(seeded, police_case, "health-demo", legal_basis="criminal_investigation")
    consent = add_consent(seeded, police_case)
    add_referral(seeded, police_case, "health-demo", consent_id=consent)
    log = login_as("auditor1").get("/audit?action=refer").text
    assert log.count('data-flag="legal_basis"') == 1


@pytest.mark.parametrize("trigger, lands_on", [("accept", "/cases/"), ("decline", "/referrals/")])
def test_an_answer_is_one_transaction_and_picks_its_next_page_before_the_commit(
    login_as, seeded, police_case, trigger, lands_on
):
    """Choosing where to go next used to reload the referral after the commit: a second write
    transaction (SQLite's write lock taken again) only to pick a redirect."""
    from victimcare.extensions import db

    consent = add_consent(seeded, police_case)
    referral_id = add_referral(seeded, police_case, "health-demo", consent_id=consent)
    health = login_as("health1")
    token = csrf_token(health, f"/referrals/{referral_id}")
    transactions = []

    def begun(connection):
        transactions.append(connection)

    with seeded.app_context():
        engine = db.engine
    sa.event.listen(engine, "begin", begun)
    try:
        response = health.post(
            f"/referrals/{referral_id}/{trigger}",
            data={"csrf_token": token, "version": "1", "reason": "Không đủ chỗ"},
        )
    finally:
        sa.event.remove(engine, "begin", begun)
    assert response.status_code == 302 and response.headers["Location"].startswith(lands_on)
    assert len(transactions) == 1
