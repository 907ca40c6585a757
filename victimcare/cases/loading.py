"""Load a case for a request and decide, once, what this user may do with it.

Every page about one case starts here, whatever its domain: a case the user may not know exists
answers 404 (as if there were none), a case they may see but not act on answers 403. The decision is
``access.for_case``; nothing here decides on its own.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload

from victimcare import access, crypto
from victimcare.access import CaseAccess
from victimcare.cases.models import Case
from victimcare.crypto.envelope import KEY_COLUMNS
from victimcare.crypto.models import DataKey
from victimcare.extensions import db


def case_or_404(reference: str) -> tuple[Case, CaseAccess]:
    """The case and the user's access to it, if they may know it exists; otherwise 404."""
    # The victim's data keys come in the same statement: the page opens their values next.
    keys = DataKey.__table__.c
    rows = db.session.execute(
        sa.select(Case, *KEY_COLUMNS)
        .outerjoin(DataKey, sa.and_(keys.person_id == Case.victim_id, keys.destroyed_at.is_(None)))
        .options(joinedload(Case.assigned_user), joinedload(Case.created_by))
        .where(Case.reference == reference)
    ).all()
    if not rows:
        abort(404)
    case = rows[0][0]
    seen = access.for_case(current_user, case)
    if not seen.visible:
        abort(404)
    crypto.vault().remember_keys(db.session, rows)
    return case, seen


def case_to_act_on(reference: str) -> tuple[Case, CaseAccess]:
    """Steps and edits: the owning agency's staff only (403 for those who only read)."""
    case, seen = case_or_404(reference)
    if not seen.may_act:
        abort(403)
    return case, seen


def case_to_record(reference: str, work: access.Work) -> tuple[Case, CaseAccess]:
    """Support, protection, reintegration or medical records: who may record this kind of work."""
    case, seen = case_or_404(reference)
    if not seen.may_record(work):
        abort(403)
    return case, seen


def case_for_owning_supervisor(reference: str) -> tuple[Case, CaseAccess]:
    """Erasure and legal holds: 404 for a case the user may not know, 403 unless they supervise its owner."""
    case, seen = case_or_404(reference)
    if not seen.owning_supervisor:
        abort(403)
    return case, seen
