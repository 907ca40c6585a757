"""Referral operations below the pages: what a receiver will see, and the sender's preview of it."""

import sqlalchemy as sa

from tests.helpers import add_case, db_session
from victimcare import access
from victimcare.accounts.models import Agency, User
from victimcare.audit.models import AuditEvent
from victimcare.cases.models import Case
from victimcare.referrals import operations
from vocabulary import FieldGroup
from workflows.referral import ReferralKind


def _scene(session, reference):
    case = session.scalar(sa.select(Case).where(Case.reference == reference))
    police = session.scalar(sa.select(User).where(User.username == "police1"))
    health = session.scalar(sa.select(Agency).where(Agency.code == "health-demo"))
    return case, police, health


def test_the_receiver_sees_the_shared_groups_its_work_needs_or_on_a_transfer_all_of_them(seeded):
    reference = add_case(seeded, "police-demo")
    with db_session(seeded) as session:
        case, _police, health = _scene(session, reference)
        shared = {"identity", "contact"}
        # Health also reads the part it records its care in, as access.for_case decides once it accepts.
        assert operations.receiver_view(case, health, ReferralKind.REFERRAL, shared) == {
            FieldGroup.IDENTITY,
            FieldGroup.MEDICAL,
        }
        assert operations.receiver_view(case, health, ReferralKind.TRANSFER, shared) == {
            FieldGroup.IDENTITY,
            FieldGroup.MEDICAL,
        }


def test_the_preview_shows_only_what_the_sender_reads_names_the_rest_and_logs_what_it_opened(seeded):
    reference = add_case(seeded, "police-demo")
    with db_session(seeded) as session:
        case, police, health = _scene(session, reference)
        seen = access.for_case(police, case)
        preview = operations.preview(case, seen, health, ReferralKind.TRANSFER, {"identity"})
        session.commit()
        assert preview == operations.Preview(
            shown=frozenset({FieldGroup.IDENTITY}), unseen=[FieldGroup.MEDICAL]
        )
        event = session.scalars(sa.select(AuditEvent).where(AuditEvent.purpose == "referral_preview")).one()
        assert (event.action, event.case_reference, event.fields) == ("view", reference, ["identity"])
