"""Support operations, below the pages: what they write to the confidentiality log."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tests.helpers import add_case, db_session
from victimcare.accounts.models import User
from victimcare.audit.models import AuditEvent
from victimcare.cases.models import Case
from victimcare.support import operations
from vocabulary import FieldGroup


def test_protection_records_are_logged_in_the_field_groups_they_are_read_in(seeded):
    """Protection is read in support or investigation (there is no "protection" field group)."""
    reference = add_case(seeded, "police-demo")
    with db_session(seeded) as session:
        case = session.scalar(sa.select(Case).where(Case.reference == reference))
        police = session.scalar(sa.select(User).where(User.username == "police1"))
        operations.assess_risk(case, police, {"assessed_on": date(2026, 8, 20), "level": "high"})
        measure = operations.apply_measure(
            case, police, {"measure": "address_secrecy", "starts_on": date(2026, 8, 20)}
        )
        operations.end_measure(measure, police, {"ended_on": date(2026, 9, 1)}, expected_version=None)
        session.commit()
        events = session.scalars(
            sa.select(AuditEvent).where(AuditEvent.object_type.in_(["risk_assessment", "protection_measure"]))
        ).all()
    assert [e.action for e in events] == ["create", "create", "update"]
    for event in events:
        assert event.fields == ["investigation", "support"]
        assert set(event.fields) <= set(FieldGroup)
