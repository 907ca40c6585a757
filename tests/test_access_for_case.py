"""``access.for_case``: the one decision on a case, tested as an operation (no HTTP)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.helpers import add_case, add_consent, add_referral
from victimcare.access import FieldGroup, Reason, Work


def _decide(app, username: str, reference: str, *, reading: bool = False):
    from victimcare import access
    from victimcare.accounts.models import User
    from victimcare.cases.models import Case
    from victimcare.extensions import db

    with app.test_request_context(method="GET" if reading else "POST"):
        user = db.session.scalar(sa.select(User).where(User.username == username))
        case = db.session.scalar(sa.select(Case).where(Case.reference == reference))
        return access.for_case(user, case)


def test_the_owner_acts_and_records_what_it_reads(seeded):
    reference = add_case(seeded, "police-demo")
    seen = _decide(seeded, "police1", reference)
    assert seen.visible and seen.reason == Reason.OWNER and seen.may_act and not seen.owning_supervisor
    assert seen.groups == {
        FieldGroup.IDENTITY,
        FieldGroup.CONTACT,
        FieldGroup.NARRATIVE,
        FieldGroup.INVESTIGATION,
    }
    assert seen.recordable == {Work.PROTECTION}  # police read investigation, which shows protection


def test_the_owning_agencys_case_workers_also_read_medical_care(seeded):
    reference = add_case(seeded, "social-demo")
    seen = _decide(seeded, "social1", reference)
    assert FieldGroup.MEDICAL in seen.groups and seen.may_record(Work.MEDICAL)


def test_a_supervisor_of_the_province_reads_and_records_nothing(seeded):
    reference = add_case(seeded, "police-demo")
    seen = _decide(seeded, "supervisor1", reference)
    assert seen.reason == Reason.SUPERVISOR and not seen.may_act and not seen.recordable
    assert not seen.owning_supervisor  # erasure and holds belong to the owner's supervisors
    assert _decide(seeded, "supervisor3", reference).owning_supervisor


def test_an_auditor_a_steering_member_and_an_admin_see_no_case(seeded):
    reference = add_case(seeded, "social-demo")
    for username in ("auditor1", "steering1", "admin1"):
        assert not _decide(seeded, username, reference).visible, username


def test_a_referral_opens_only_what_it_shared_plus_the_receivers_own_work_while_accepted(seeded, login_as):
    from tests.helpers import post

    reference = add_case(seeded, "police-demo")
    consent = add_consent(seeded, reference)
    referral = add_referral(seeded, reference, "health-demo", consent_id=consent, groups=("identity",))
    assert not _decide(seeded, "health1", reference).visible  # sent, not yet accepted
    health = login_as("health1")
    assert (
        post(health, f"/referrals/{referral}/accept", {}, token_page=f"/referrals/{referral}").status_code
        == 302
    )
    seen = _decide(seeded, "health1", reference)
    assert seen.reason == Reason.REFERRAL and seen.groups == {FieldGroup.IDENTITY, FieldGroup.MEDICAL}
    assert seen.recordable == {Work.MEDICAL} and not seen.may_act
    assert [str(r.id) for r in seen.referrals] == [referral]


def test_an_expired_break_glass_grant_opens_nothing(seeded):
    from victimcare.accounts.models import User
    from victimcare.cases import operations
    from victimcare.cases.models import BreakGlassGrant, Case
    from victimcare.extensions import db

    reference = add_case(seeded, "police-demo")
    with seeded.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "social1"))
        case = db.session.scalar(sa.select(Case).where(Case.reference == reference))
        assert operations.break_glass(case, user, "Cấp cứu, cần liên hệ gia đình")
        db.session.commit()
    seen = _decide(seeded, "social1", reference)
    assert seen.reason == Reason.BREAK_GLASS and seen.break_glass is not None and not seen.recordable
    with seeded.app_context():  # an hour and a minute later
        for grant in db.session.scalars(sa.select(BreakGlassGrant)):
            grant.expires_at -= timedelta(minutes=61)
        db.session.commit()
    assert not _decide(seeded, "social1", reference).visible


def test_a_read_request_decides_once_and_a_writing_one_decides_afresh(seeded):
    from victimcare import access
    from victimcare.accounts.models import User
    from victimcare.cases.models import Case
    from victimcare.extensions import db

    reference = add_case(seeded, "police-demo")
    for method, same in (("GET", True), ("POST", False)):
        with seeded.test_request_context(method=method):
            seeded.preprocess_request()  # the request hooks: a GET reads in a deferred transaction
            user = db.session.scalar(sa.select(User).where(User.username == "police1"))
            case = db.session.scalar(sa.select(Case).where(Case.reference == reference))
            assert (access.for_case(user, case) is access.for_case(user, case)) == same, method
