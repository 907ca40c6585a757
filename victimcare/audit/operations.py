"""Writing the confidentiality log.

``record`` appends one event in the caller's transaction: a change and its event commit
together, and a view's event is committed before the page is served (``record_view``), so no
read goes unlogged. If the log cannot be written, the request fails.
"""
from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable

import sqlalchemy as sa
from flask import g, has_request_context, request
from flask_login import current_user

from sqlalchemy.orm import Session

from victimcare.audit.chain import event_hash
from victimcare.audit.checkpoints import EVERY_EVENTS
from victimcare.audit.models import AuditEvent, AuditHead
from victimcare.database import utcnow
from victimcare.extensions import db


def _request_id() -> str | None:
    if not has_request_context():
        return None
    if "audit_request_id" not in g:
        g.audit_request_id = uuid.uuid4().hex
    return g.audit_request_id


def _actor_fields(actor) -> dict:
    if actor is None and has_request_context() and current_user and current_user.is_authenticated:
        actor = current_user
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {}
    session_row = getattr(actor, "current_session", None)
    return {
        "actor_id": actor.id, "actor_username": actor.username, "agency_code": actor.agency.code,
        "role": actor.role.value,
        "session_hash": hashlib.sha256(str(session_row.id).encode()).hexdigest()[:16] if session_row else None,
    }


def record(action: str, *, actor=None, username: str | None = None, object_type: str | None = None,
           object_id=None, case=None, fields: Iterable[str] = (), purpose: str | None = None,
           outcome: str = "ok", detail: dict | None = None, ciphertext: bytes | None = None) -> AuditEvent:
    """Append one event to the chain, in the current transaction (the caller commits)."""
    head = db.session.execute(
        sa.update(AuditHead.__table__)
        .where(AuditHead.__table__.c.id == 1)
        .values(last_seq=AuditHead.__table__.c.last_seq + 1)
        .returning(AuditHead.__table__.c.last_seq, AuditHead.__table__.c.last_hash)
    ).one()
    event = AuditEvent(
        seq=head.last_seq, action=action, object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        case_reference=case.reference if case is not None else None,
        fields=sorted(str(f) for f in fields), purpose=purpose, outcome=outcome, detail=detail or {},
        ciphertext_sha256=hashlib.sha256(ciphertext).hexdigest() if ciphertext else None,
        client_address=(request.remote_addr or "")[:64] if has_request_context() else None,
        request_id=_request_id(), **{"actor_username": username, **_actor_fields(actor)},
    )
    event.occurred_at = utcnow()
    event.prev_hash = head.last_hash
    event.hash = event_hash(head.last_hash, head.last_seq, event)
    db.session.add(event)
    db.session.execute(
        sa.update(AuditHead.__table__).where(AuditHead.__table__.c.id == 1).values(last_hash=event.hash)
    )
    db.session.flush()
    if event.seq % EVERY_EVENTS == 0:
        db.session.info[_CHECKPOINT_DUE] = True
    return event


_CHECKPOINT_DUE = "victimcare.audit_checkpoint_due"


@sa.event.listens_for(Session, "after_commit")
def _checkpoint_after_commit(session) -> None:
    """Every 1,000th event is signed once it is committed (never for a rolled-back one)."""
    if session.info.pop(_CHECKPOINT_DUE, False):
        from victimcare.audit.checkpoints import write_checkpoint

        with db.engine.begin() as connection:
            write_checkpoint(connection)


def record_view(case, fields: Iterable[str], *, purpose: str | None = None) -> None:
    """Log that personal data of ``case`` is about to be shown, and commit it first (fail closed)."""
    record("view", object_type="case", object_id=case.id, case=case, fields=fields, purpose=purpose)
    db.session.commit()


def record_list_view(cases) -> None:
    """A list or search result shows names: one event for the page, naming the cases."""
    if cases:
        record("view", object_type="case_list", fields=["identity"],
               detail={"cases": [c.reference for c in cases]})
    db.session.commit()
