"""One vocabulary (issue 14): the stored words are defined once, and the log takes nothing else."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from vocabulary import AgencyKind, AuditAction, FieldGroup, ObjectType, Role


def test_the_stored_values_never_change():
    """Agencies, users, referrals and the hash-chained log hold these strings: renaming one orphans rows."""
    assert {k.value for k in AgencyKind} == {
        "police", "border_guard", "social_affairs", "health", "justice",
        "womens_union", "foreign_affairs", "procuracy", "commune",
    }  # fmt: skip
    assert {r.value for r in Role} == {"officer", "case_worker", "supervisor", "auditor", "admin", "steering"}
    assert {g.value for g in FieldGroup} == {
        "identity", "contact", "narrative", "investigation", "medical", "support",
    }  # fmt: skip
    assert AuditAction.VIEW == "view" and AuditAction.LOGIN_FAILED == "login_failed"
    assert ObjectType.CASE_PERSON == "case_person" and ObjectType.CASE_LIST == "case_list"


def test_the_old_import_names_are_the_same_enums():
    from victimcare import access
    from victimcare.accounts import models

    assert access.FieldGroup is FieldGroup
    assert models.AgencyKind is AgencyKind and models.Role is Role


def test_the_referral_machine_triggers_and_approval_kinds_are_audit_words():
    from victimcare.approvals.models import ApprovalKind
    from victimcare.approvals.operations import OBJECT_TYPES
    from workflows.referral import STEPS

    for step in STEPS:
        AuditAction(step.trigger)  # ValueError if a step had no audit action of its name
    assert set(OBJECT_TYPES) == set(ApprovalKind)


@pytest.mark.parametrize(
    "action, object_type",
    [
        ("view", ObjectType.CASE),  # the right word, but a string
        (AuditAction.VIEW, "case"),
        ("viewed", None),
        (AuditAction.VIEW, "case_people"),  # a retired spelling is never written again
    ],
)
def test_the_log_refuses_anything_but_the_vocabulary(app, action, object_type):
    from victimcare.audit import operations as audit
    from victimcare.audit.models import AuditEvent
    from victimcare.extensions import db

    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
        with pytest.raises(TypeError):
            audit.record(action, object_type=object_type)
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before


def test_an_old_spelling_is_read_as_the_current_word_without_rewriting_the_event():
    from victimcare.audit.models import AuditEvent

    assert AuditEvent(object_type="case_people").object_kind is ObjectType.CASE_PERSON
    assert AuditEvent(object_type="case").object_kind is ObjectType.CASE
    assert AuditEvent(object_type=None).object_kind is None
    assert AuditEvent(object_type="something_older").object_kind == "something_older"  # shown as stored
