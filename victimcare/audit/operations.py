"""Writing the confidentiality log.

``record`` appends one event in the caller's transaction: a change and its event commit
together. In a read request (GET, see ``victimcare.transactions``) the events wait until the page
is rendered and are then appended and committed in one short transaction before the page leaves
(``commit_views``), so no read goes unlogged and the chain's head is held for a moment, not for
the whole page. If the log cannot be written, the request fails.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from types import SimpleNamespace

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request
from flask_login import current_user

from victimcare.audit.chain import CURRENT_VERSION, event_hash, mac_key
from victimcare.audit.checkpoints import EVERY_EVENTS
from victimcare.audit.models import AuditEvent, AuditHead
from victimcare.database import utcnow
from victimcare.extensions import db
from victimcare.transactions import reading, write_apart
from vocabulary import AuditAction, FieldGroup, ObjectType


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
        "actor_id": actor.id,
        "actor_username": actor.username,
        "agency_code": actor.agency.code,
        "role": actor.role.value,
        "session_hash": hashlib.sha256(str(session_row.id).encode()).hexdigest()[:16]
        if session_row
        else None,
    }


def record(
    action: AuditAction,
    *,
    actor=None,
    username: str | None = None,
    object_type: ObjectType | None = None,
    object_id=None,
    case=None,
    fields: Iterable[str] = (),
    purpose: str | None = None,
    outcome: str = "ok",
    detail: dict | None = None,
    ciphertext: bytes | None = None,
) -> None:
    """Append one event to the chain, in the current transaction (the caller commits).

    In a read request the event is held and appended by ``commit_views`` before the page leaves.
    ``action`` and ``object_type`` must be members of the vocabulary's enums, never strings: a
    misspelt action would be written for good, and never match a filter or a flag.
    """
    _check_vocabulary(action, object_type)
    event = {
        "occurred_at": utcnow(),
        "action": action.value,
        "object_type": object_type.value if object_type is not None else None,
        "object_id": str(object_id) if object_id is not None else None,
        "case_reference": case.reference if case is not None else None,
        "fields": sorted(str(f) for f in fields),
        "purpose": purpose,
        "outcome": outcome,
        "detail": detail or {},
        "ciphertext_sha256": hashlib.sha256(ciphertext).hexdigest() if ciphertext else None,
        "client_address": (request.remote_addr or "")[:64] if has_request_context() else None,
        "request_id": _request_id(),
        "actor_id": None,
        "actor_username": username,
        "agency_code": None,
        "role": None,
        "session_hash": None,
        **_actor_fields(actor),
    }
    if action == AuditAction.VIEW and case is not None:
        viewer = actor if actor is not None or not has_request_context() else current_user
        event["detail"] = {**_facts_of_the_view(case, viewer), **event["detail"]}
    if reading():
        g.setdefault("audit_pending", []).append(event)
    else:
        _append(event)


def _facts_of_the_view(case, viewer) -> dict:
    """Who owned the case when it was viewed, and the accepted referral (if any) the viewer's agency
    read it under: the review judges a view against these facts, not against today's owner (after
    a transfer, the first owner's earlier views are not another agency's). Part of the chained
    detail, so they cannot be changed afterwards; events from before carry neither. The referral
    comes from the request's access decision (``access.for_case``), already made for the page."""
    facts = {"owner": case.owning_agency.code}
    if getattr(viewer, "is_authenticated", False) and viewer.agency_id != case.owning_agency_id:
        from victimcare import access

        referrals = access.for_case(viewer, case).referrals
        if referrals:
            facts["referral"] = str(referrals[0].id)
    return facts


def _check_vocabulary(action, object_type) -> None:
    if not isinstance(action, AuditAction):
        raise TypeError(f"audit action must be an AuditAction, not {action!r}")
    if object_type is not None and not isinstance(object_type, ObjectType):
        raise TypeError(f"audit object type must be an ObjectType, not {object_type!r}")


def _append(event: dict) -> None:
    """Written with Core statements rather than the unit of work: every page view appends one, and
    the log is insert-only, so there is nothing for the ORM to track."""
    # Taking the head row serialises appenders: the row lock on PostgreSQL, BEGIN IMMEDIATE on SQLite.
    seq, prev_hash = db.session.execute(_ADVANCE_HEAD).one()
    event["seq"], event["prev_hash"] = seq, prev_hash
    event["chain_version"] = CURRENT_VERSION
    event["hash"] = event_hash(prev_hash, seq, SimpleNamespace(**event), mac_key=mac_key())
    db.session.execute(_INSERT_EVENT, event)
    db.session.execute(_SET_HEAD_HASH, {"hash": event["hash"]})
    if seq % EVERY_EVENTS == 0:
        db.session.info[_CHECKPOINT_DUE] = True


_HEAD = AuditHead.__table__
_ADVANCE_HEAD = (
    sa.update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(last_seq=_HEAD.c.last_seq + 1)
    .returning(_HEAD.c.last_seq, _HEAD.c.last_hash)
)
_INSERT_EVENT = sa.insert(AuditEvent.__table__)
_SET_HEAD_HASH = sa.update(_HEAD).where(_HEAD.c.id == 1).values(last_hash=sa.bindparam("hash"))


_CHECKPOINT_DUE = "victimcare.audit_checkpoint_due"


def checkpoint_after_commit(session) -> None:
    """Every 1,000th event is signed once it is committed (never for a rolled-back one)."""
    if session.info.pop(_CHECKPOINT_DUE, False):
        from victimcare.audit.checkpoints import CheckpointRefused, write_checkpoint

        try:
            with db.engine.begin() as connection:
                write_checkpoint(connection)
        except CheckpointRefused as refusal:  # the event is committed; `audit verify` will say why
            current_app.logger.error("Audit checkpoint not signed: %s", refusal)


def record_view(
    case,
    fields: Iterable[str],
    *,
    purpose: str | None = None,
    object_type: ObjectType = ObjectType.CASE,
    object_id=None,
) -> None:
    """Log that this response shows personal data of ``case`` (committed before it leaves)."""
    record(
        AuditAction.VIEW,
        object_type=object_type,
        object_id=object_id or case.id,
        case=case,
        fields=fields,
        purpose=purpose,
    )
    g.audit_views_to_commit = True


def record_list_view(cases) -> None:
    """A list or search result shows names: one event for the page, naming the cases."""
    if cases:
        record(
            AuditAction.VIEW,
            object_type=ObjectType.CASE_LIST,
            fields=[FieldGroup.IDENTITY],
            detail={"cases": [c.reference for c in cases]},
        )
        g.audit_views_to_commit = True


def commit_views(response):
    """``after_request``: a page that decrypted is sent only once its view events are committed.

    The commit comes after rendering, so the page is built in the transaction that read it. A
    read request's events (held in ``g``) are appended now, in a transaction of their own; another
    request's were appended inline and are committed with its work. If the commit fails, Flask
    answers 500 and the page is never sent. A failed request (5xx) commits nothing: the teardown
    rolls its transaction back.
    """
    pending = g.pop("audit_pending", None)
    to_commit = g.pop("audit_views_to_commit", False)
    if response.status_code >= 500:
        return response
    if pending:
        with write_apart(db.session):
            for event in pending:
                _append(event)
    elif to_commit:
        db.session.commit()
    return response
