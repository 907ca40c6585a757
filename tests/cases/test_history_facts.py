"""Facts recorded at steps: each read only in its field group, free text sealed, pickers for coded
values, sealed facts shown to those who read them (with the view logged), bad values never a 500."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.helpers import add_case, add_consent, add_referral, db_session, fire_step, post, raw_database_bytes
from victimcare.audit.models import AuditEvent
from victimcare.cases.models import Case, StageEvent
from workflows import victim_path

ISSUER = "Công an tỉnh Lào Cai – Phòng PC02"
NUMBER = "45/XN-CAT"
EVIDENCE_NOTE = "Biên bản giải cứu số 12/BB"


def _walk_to_protection(police, reference):
    steps = [
        (
            "start_verification",
            {
                "channel": "hotline_111",
                "received_at": "20/11/2026 03:17",
                "notified_social_affairs_at": "20/11/2026 03:40",
            },
        ),
        ("request_identification", {"evidence": ["b", "e"], "evidence_note": EVIDENCE_NOTE}),
        (
            "confirm_for_rescue",
            {
                "confirmation_document": "victim_confirmation",
                "confirmation_number": NUMBER,
                "confirmation_issuer": ISSUER,
                "confirmation_date": "21/11/2026",
            },
        ),
        (
            "complete_rescue",
            {
                "rescue_date": "22/11/2026",
                "rescue_place": "abroad",
                "rescue_country": "CN",
                "rescue_outcome": "rescued",
            },
        ),
    ]
    for trigger, data in steps:
        assert fire_step(police, reference, trigger, data).status_code == 302, trigger


def _events(app, action, reference):
    with db_session(app) as session:
        return session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == action, AuditEvent.case_reference == reference)
        ).all()


def test_every_fact_of_the_path_names_a_field_group_the_app_knows():
    from victimcare.access import FieldGroup

    for t in victim_path.TRANSITIONS:
        for fact in t.facts:
            assert fact.groups and {FieldGroup(g.value) for g in fact.groups}, fact.name
            assert fact.sealed or fact.kind in victim_path.CODED_KINDS
            if fact.kind == "text":
                assert fact.sealed, f"{fact.name}: free text is never stored in clear"
    assert set(victim_path.DERIVED_GROUPS) >= {name for t in victim_path.TRANSITIONS for name in t.derived}


def test_a_health_worker_on_a_referred_case_sees_only_the_history_facts_of_its_groups(login_as, seeded):
    reference = add_case(seeded, "police-demo", full_name="Lò Thị Xuyến")
    police = login_as("police1")
    _walk_to_protection(police, reference)
    referral_id = add_referral(
        seeded, reference, "health-demo", consent_id=add_consent(seeded, reference), groups=("identity",)
    )
    health = login_as("health1")
    assert (
        post(health, f"/referrals/{referral_id}/accept", token_page=f"/referrals/{referral_id}").status_code
        == 302
    )

    page = health.get(f"/cases/{reference}").text
    assert page.count('data-testid="stage-step"') == 4  # the steps themselves stay in the history
    for hidden in (
        "20/11/2026 03:17",
        "(b) từ cơ quan giải cứu",
        "Trung Quốc",
        ISSUER,
        NUMBER,
        EVIDENCE_NOTE,
    ):
        assert hidden not in page, hidden  # intake (narrative), evidence, rescue, issuer (investigation)
    assert 'data-testid="history-hidden"' in page and 'data-testid="facts-hidden"' in page
    assert "21/11/2026" in page  # the confirmation's date is identity: health reads it

    page = police.get(f"/cases/{reference}").text
    for shown in ("20/11/2026 03:17", "(b) từ cơ quan giải cứu", "Trung Quốc", ISSUER, NUMBER, EVIDENCE_NOTE):
        assert shown in page, shown
    assert 'data-testid="history-hidden"' not in page


def test_sealed_step_facts_are_shown_to_their_groups_with_the_view_logged(login_as, seeded):
    reference = add_case(seeded, "police-demo")
    police = login_as("police1")
    _walk_to_protection(police, reference)
    police.get(f"/cases/{reference}")
    opened = [e for e in _events(seeded, "view", reference) if e.object_type == "stage_event"]
    assert opened and opened[-1].fields == ["investigation"] and opened[-1].purpose == "history"
    steps = _events(seeded, "transition", reference)
    assert [e.fields for e in steps] == [[], ["investigation"], ["investigation"], []]


def test_free_text_facts_are_sealed_at_rest_and_unreadable_after_erasure(login_as, seeded):
    reference = add_case(seeded, "police-demo")
    police = login_as("police1")
    _walk_to_protection(police, reference)
    raw = raw_database_bytes(seeded)  # SQLite's files (on PostgreSQL, the rows below say it)
    with db_session(seeded) as session:
        rows = repr(
            session.execute(sa.text("SELECT facts FROM stage_events UNION ALL SELECT facts FROM cases")).all()
        )
    for text in (ISSUER, NUMBER, EVIDENCE_NOTE):
        assert text.encode() not in raw and text not in rows, text
    with db_session(seeded) as session:
        case = session.scalar(sa.select(Case).where(Case.reference == reference))
        assert "confirmation_issuer" not in case.facts and case.facts["rescue_country"] == "CN"
        event = session.scalar(sa.select(StageEvent).where(StageEvent.trigger == "confirm_for_rescue"))
        assert event.details["confirmation_issuer"] == ISSUER
    from victimcare.accounts.models import User
    from victimcare.cases import operations

    with db_session(seeded) as session:  # the erasure itself (who may ask for it is another matter)
        case = session.scalar(sa.select(Case).where(Case.reference == reference))
        operations.erase_person(
            case, "person_request", by=session.scalar(sa.select(User).where(User.username == "supervisor1"))
        )
        session.commit()
    with db_session(seeded) as session:
        event = session.scalar(sa.select(StageEvent).where(StageEvent.trigger == "confirm_for_rescue"))
        assert event.details is None and event.details_sealed is not None  # sealed bytes, no key left
    page = police.get(f"/cases/{reference}").text
    assert ISSUER not in page and NUMBER not in page


def test_onward_referral_is_an_agency_and_the_receiving_province_a_province_code(login_as, seeded):
    police = login_as("police1")
    reference = add_case(seeded, "police-demo")
    refused = fire_step(police, reference, "close_transferred", {"receiving_province": "99"})
    assert refused.status_code == 400
    assert fire_step(police, reference, "close_transferred", {"receiving_province": "01"}).status_code == 302
    assert "Thành phố Hà Nội" in police.get(f"/cases/{reference}").text
    other = add_case(seeded, "police-demo")
    with db_session(seeded) as session:
        session.scalar(sa.select(Case).where(Case.reference == other)).stage = "identification"
        session.commit()
    assert (
        fire_step(police, other, "not_confirmed", {"onward_referral": "Trung tâm bất kỳ"}).status_code == 400
    )
    assert fire_step(police, other, "not_confirmed", {"onward_referral": "social-demo"}).status_code == 302
    with db_session(seeded) as session:
        case = session.scalar(sa.select(Case).where(Case.reference == other))
        assert case.facts["onward_referral"] == "social-demo"
        transferred = session.scalar(sa.select(Case).where(Case.reference == reference))
        assert transferred.facts["receiving_province"] == "01"


def test_facts_stored_in_clear_by_older_versions_are_sealed_by_the_command(login_as, seeded):
    reference = add_case(seeded, "police-demo")
    with db_session(seeded) as session:
        case = session.scalar(sa.select(Case).where(Case.reference == reference))
        legacy = {
            "confirmation_document": "victim_confirmation",
            "confirmation_issuer": ISSUER,
            "confirmation_date": "2026-11-21",
            "onward_referral": "Trung tâm CTXH tỉnh",
            "receiving_province": "Lào Cai",
        }
        session.add(
            StageEvent(
                case=case,
                trigger="confirm_safe",
                from_stage="identification",
                to_stage="protection",
                facts=legacy,
            )
        )
        case.facts = dict(legacy)
        session.commit()
    result = seeded.test_cli_runner().invoke(args=["cases", "seal-facts"])
    assert result.exit_code == 0, result.output
    with db_session(seeded) as session:
        event = session.scalar(sa.select(StageEvent).where(StageEvent.trigger == "confirm_safe"))
        assert event.facts == {
            "confirmation_document": "victim_confirmation",
            "confirmation_date": "2026-11-21",
        }
        assert event.details == {
            "confirmation_issuer": ISSUER,
            "onward_referral": "Trung tâm CTXH tỉnh",
            "receiving_province": "Lào Cai",
        }
        case = session.scalar(sa.select(Case).where(Case.reference == reference))
        assert case.facts == {
            "confirmation_document": "victim_confirmation",
            "confirmation_date": "2026-11-21",
        }
    again = seeded.test_cli_runner().invoke(args=["cases", "seal-facts"])
    assert "0 history entries" in again.output


@pytest.mark.parametrize(
    "stored", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "2026-13-45", {"not": "a value"}]
)
def test_a_stored_fact_that_does_not_read_as_its_kind_never_breaks_the_case_page(login_as, seeded, stored):
    reference = add_case(seeded, "police-demo")
    with db_session(seeded) as session:
        case = session.scalar(sa.select(Case).where(Case.reference == reference))
        session.add(
            StageEvent(
                case=case,
                trigger="start_verification",
                from_stage="intake",
                to_stage="verification",
                facts={"channel": "hotline_111", "received_at": stored},
            )
        )
        session.commit()
    page = login_as("police1").get(f"/cases/{reference}")
    assert page.status_code == 200
    assert 'data-testid="invalid-fact"' in page.text


def test_consent_names_are_shown_to_the_groups_that_read_them_with_the_view_logged(login_as, seeded):
    from datetime import date

    reference = add_case(seeded, "police-demo", date_of_birth=date(2014, 3, 1))
    police = login_as("police1")
    assert (
        post(
            police,
            f"/cases/{reference}/consents/new",
            {
                "given_by": "guardian",
                "guardian_name": "Giàng A Páo",
                "agency_kinds": ["health"],
                "purposes": ["medical_care"],
                "method": "verbal_with_witness",
                "witness_name": "Thào Mí Sùng",
                "given_at": "01/11/2026 09:00",
            },
        ).status_code
        == 302
    )
    page = police.get(f"/cases/{reference}").text
    assert "Giàng A Páo" in page and "Thào Mí Sùng" in page  # police read identity and investigation
    consent_views = [e for e in _events(seeded, "view", reference) if e.object_type == "consent"]
    assert [e.fields for e in consent_views] == [["identity", "investigation"]]


def test_the_supervisor_reviewing_emergency_access_reads_its_reason_and_the_view_is_logged(login_as, seeded):
    reason = "Người bệnh bất tỉnh tại trạm y tế, cần liên hệ người thân ngay"
    reference = add_case(seeded, "police-demo")
    health = login_as("health1")
    assert post(health, f"/cases/{reference}/break-glass", {"reason": reason}).status_code == 302
    review = login_as("supervisor1").get("/audit?action=break_glass").text
    assert 'data-testid="break-glass-reason"' in review and reason in review
    views = [e for e in _events(seeded, "view", reference) if e.object_type == "break_glass_grant"]
    assert len(views) == 1 and views[0].actor_username == "supervisor1" and views[0].purpose == "review"
    assert views[0].fields == ["break_glass_reason"]
    assert reason not in login_as("auditor1").get("/audit?action=break_glass").text  # auditors open no case
