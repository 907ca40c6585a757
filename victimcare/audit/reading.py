"""The log as people read it: each event's codes turned into labels in the reader's language, for the
page and the CSV alike, so no code reaches either (agency names instead of codes, the step a
transition took, the reviewer's mark). Nothing here decrypts: events hold no personal values."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from victimcare.access import FieldGroup
from victimcare.accounts.models import Agency, Role, User
from victimcare.approvals.models import ApprovalKind
from victimcare.approvals.models import Outcome as ApprovalOutcome
from victimcare.audit import review
from victimcare.audit.labels import code_label
from victimcare.audit.models import AuditEvent
from victimcare.audit.vocabulary import (
    Change,
    CheckedIdentifier,
    EventField,
    EventOutcome,
    EventPurpose,
    Flag,
)
from victimcare.cases.models import LegalHoldReason
from victimcare.cases.operations import ErasureReason, SearchKind
from victimcare.extensions import db
from victimcare.i18n import format_moment
from vocabulary import AuditAction, ObjectType
from workflows import victim_path
from workflows.referral import LegalBasis, Purpose, ReferralKind
from workflows.support import SupportType

PURPOSES = (EventPurpose, Purpose, ErasureReason, LegalHoldReason)


@dataclass
class Row:
    """One event as printed: every value already a label."""

    seq: int
    actor_id: object
    time: str
    user: str
    agency: str
    role: str
    action: str
    purpose: str
    outcome: str
    record: str
    fields: str
    summary: str
    flags: list[tuple[str, str]] = field(default_factory=list)  # (code for the test hooks, label)
    under_referral: bool = False
    review: str = ""
    reviewable: bool = False


class Names:
    """Agency names and users' display names, read once per page."""

    def __init__(self, events: list[AuditEvent]):
        self.agencies = dict(db.session.execute(sa.select(Agency.code, Agency.name)).all())
        usernames = {e.actor_username for e in events if e.actor_username}
        self.users = (
            dict(
                db.session.execute(
                    sa.select(User.username, User.display_name).where(User.username.in_(usernames))
                ).all()
            )
            if usernames
            else {}
        )
        self._reviewers: dict = {}

    def agency(self, code: str | None) -> str:
        return self.agencies.get(code, code or "") if code else ""

    def user(self, username: str | None) -> str:
        if not username:
            return "—"
        name = self.users.get(username)
        return f"{name} ({username})" if name else username

    def reviewer(self, user_id) -> str:
        if user_id not in self._reviewers:
            user = db.session.get(User, user_id)
            self._reviewers[user_id] = f"{user.display_name} ({user.username})" if user else ""
        return self._reviewers[user_id]


def rows(events: list[AuditEvent], viewer: User) -> list[Row]:
    """The events as rows, with their flags and review state as ``viewer`` sees them."""
    names = Names(events)
    marks = review.flags(events)
    reviews = review.reviews_of([e.seq for e in events])
    found = []
    for event in events:
        row = _row(event, names)
        row.flags = [(f, code_label(f, Flag)) for f in marks.get(event.seq, [])]
        row.under_referral = review.under_referral(event)
        mark = reviews.get(event.seq)
        if mark is not None:
            row.review = _(
                "Reviewed by %(who)s on %(when)s: %(note)s",
                who=names.reviewer(mark.reviewed_by_id),
                when=format_moment(mark.reviewed_at),
                note=mark.note,
            )
        row.reviewable = bool(row.flags) and mark is None and event.actor_id != viewer.id
        found.append(row)
    return found


def _row(event: AuditEvent, names: Names) -> Row:
    return Row(
        seq=event.seq,
        actor_id=event.actor_id,
        time=format_moment(event.occurred_at),
        user=names.user(event.actor_username),
        agency=names.agency(event.agency_code),
        role=code_label(event.role, Role),
        action=code_label(event.action, AuditAction),
        purpose=code_label(event.purpose, *PURPOSES),
        outcome="" if event.outcome == "ok" else code_label(event.outcome, EventOutcome, ApprovalOutcome),
        record=event.case_reference or code_label(event.object_kind, ObjectType),
        fields=", ".join(code_label(f, FieldGroup, EventField) for f in event.fields or ()),
        summary=summary(event, names),
    )


def summary(event: AuditEvent, names: Names) -> str:
    """What the event did, in words: the step taken, the agencies a case moved between, a search's
    result count, the account change; empty when the action and purpose say it all."""
    detail = event.detail or {}
    action = event.action
    if action == AuditAction.TRANSITION:
        return _step(detail)
    if action == AuditAction.UPDATE and event.purpose == "transfer":
        return _(
            "from %(from)s to %(to)s",
            **{"from": names.agency(detail.get("from")), "to": names.agency(detail.get("to"))},
        )
    if action in (
        AuditAction.REFER,
        AuditAction.ACCEPT,
        AuditAction.DECLINE,
        AuditAction.WITHDRAW,
        AuditAction.COMPLETE,
        AuditAction.EXPIRE,
    ):
        return _referral(detail, names)
    if action == AuditAction.SEARCH:
        indexes = detail.get("index")
        indexes = indexes if isinstance(indexes, list) else [indexes]
        return ngettext(
            "%(index)s: %(num)d found",
            "%(index)s: %(num)d found",
            int(detail.get("results") or 0),
            index=", ".join(code_label(i, SearchKind, CheckedIdentifier) for i in indexes if i),
        )
    return _other(event, detail, names)


def _step(detail: dict) -> str:
    found = victim_path.find(detail.get("trigger") or "", detail.get("from") or "")
    step = _(found.label) if found else detail.get("trigger", "")
    return _(
        "%(step)s (%(from)s → %(to)s)",
        step=step,
        **{
            "from": code_label(detail.get("from"), victim_path.Stage),
            "to": code_label(detail.get("to"), victim_path.Stage),
        },
    )


def _referral(detail: dict, names: Names) -> str:
    parts = [code_label(detail.get("kind"), ReferralKind)]
    if detail.get("to"):
        parts.append(_("to %(agency)s", agency=names.agency(detail["to"])))
    if detail.get("legal_basis"):
        parts.append(code_label(detail["legal_basis"], LegalBasis))
    return "; ".join(p for p in parts if p)


def _other(event: AuditEvent, detail: dict, names: Names) -> str:
    if "change" in detail:
        words = [code_label(detail["change"], Change)]
        if detail.get("role"):
            words.append(code_label(detail["role"], Role))
        if detail.get("agency") or detail.get("code"):
            words.append(names.agency(detail.get("agency") or detail.get("code")))
        return ", ".join(words)
    if event.action == AuditAction.AGENCY_CHANGE:
        return names.agency(detail.get("code"))
    if event.action in (AuditAction.APPROVAL_REQUEST, AuditAction.APPROVAL_DECISION):
        return code_label(detail.get("kind"), ApprovalKind)
    if event.action == AuditAction.CONSENT:
        return _("given") if detail.get("given") else _("withdrawn")
    if detail.get("type"):
        return code_label(detail["type"], SupportType)
    if event.action == AuditAction.REVIEW or event.object_type == ObjectType.AUDIT_LOG:
        count = int(detail.get("count", detail.get("rows")) or 0)
        return ngettext("%(num)d event", "%(num)d events", count)
    if event.object_type in ("case_list", "import"):
        count = len(detail.get("cases") or ()) or int(detail.get("rows") or 0)
        return ngettext("%(num)d case", "%(num)d cases", count)
    return ""
