"""Referrals' part of the case page: the referrals the reader's agency took part in, their steps in
the case history, and, for the agency that holds the case, the consents to share.

Registered with the case page at start-up (``init_app``), so the case page imports nothing of
referrals. Guardians' and witnesses' names on consents are opened only for readers of their group.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask_login import current_user

from victimcare.access import CaseAccess
from victimcare.audit import operations as audit
from victimcare.cases import disclosure, hooks
from victimcare.extensions import db
from victimcare.referrals.models import Consent, Referral, ReferralEvent
from vocabulary import ObjectType


def init_app(app: Flask) -> None:
    hooks.register_section(app, "referrals", section)


def section(case, access: CaseAccess) -> hooks.Section:
    referrals = access.exchanged
    if referrals is None:
        referrals = db.session.scalars(
            sa.select(Referral)
            .where(
                Referral.case_id == case.id,
                sa.or_(
                    Referral.from_agency_id == current_user.agency_id,
                    Referral.to_agency_id == current_user.agency_id,
                ),
            )
            .order_by(Referral.sent_at.desc())
        ).all()
    consents = []
    if access.may_act:
        consents = db.session.scalars(
            sa.select(Consent).where(Consent.case_id == case.id).order_by(Consent.given_at.desc())
        ).all()
    steps = ()
    if referrals:
        steps = tuple(
            db.session.scalars(
                sa.select(ReferralEvent).where(
                    ReferralEvent.case_id == case.id, ReferralEvent.referral_id.in_([r.id for r in referrals])
                )
            )
        )
    opened: set = set()
    names = disclosure.open_names(consents, access.groups, opened)
    if opened:  # guardians' and witnesses' names: an event of their own, on the consents
        audit.record_view(case, opened, purpose="consent", object_type=ObjectType.CONSENT)
    context = {"referrals": referrals, "consents": consents, "consent_names": names}
    return hooks.Section(context, history=steps)
