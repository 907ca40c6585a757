"""Sending, answering, ending and expiring referrals; recording and withdrawing consent.

Each operation checks with ``workflows.referral``, writes the referral, its history entry and the
audit event in the caller's transaction, and flushes; the view commits. A transfer's change of
owner happens in the same transaction as its acceptance, so a failure leaves both undone.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm.exc import StaleDataError

from victimcare import access
from victimcare.accounts.models import Agency, User
from victimcare.audit import operations as audit
from victimcare.cases import assignment
from victimcare.cases.models import Case
from victimcare.cases.path import StaleCase, lock_case
from victimcare.database import utcnow
from victimcare.extensions import db
from victimcare.referrals import handoff
from victimcare.referrals.models import Consent, ConsentGiver, ConsentMethod, Referral, ReferralEvent
from victimcare.working_days import deadline_after, local_day
from vocabulary import AuditAction, FieldGroup, ObjectType
from workflows import referral as machine
from workflows.referral import (
    CLOCK,
    CONSENT,
    OPEN,
    PURPOSES,
    RECEIVER,
    SENDER,
    LegalBasis,
    Purpose,
    ReferralKind,
    ReferralState,
    ReferralStatus,
    Urgency,
)
from workflows.victim_path import N_, TransitionRefused


class ReferralChanged(Exception):
    """Someone answered or ended the referral after this user loaded it."""


def answer_due(sent_at: datetime, urgency: str) -> datetime:
    """Urgent: within ``REFERRAL_URGENT_HOURS``; normal: ``REFERRAL_NORMAL_WORKING_DAYS`` working days."""
    config = current_app.config
    if urgency == Urgency.URGENT:
        return sent_at + timedelta(hours=config["REFERRAL_URGENT_HOURS"])
    return deadline_after(sent_at, config["REFERRAL_NORMAL_WORKING_DAYS"])


def receiving_agencies(sender: Agency, purpose: Purpose, kind: ReferralKind) -> list[Agency]:
    """Agencies that do this kind of work, in the sender's province; in any province for a transfer, or
    when none in the province does this work (legal aid, say): the wider choice (``receivers.note``)."""
    query = sa.select(Agency).where(
        Agency.active.is_(True),
        Agency.id != sender.id,
        Agency.kind.in_(sorted(PURPOSES[purpose].receivers)),
    )
    ordered = query.order_by(Agency.province_code != sender.province_code, Agency.name)
    if kind != ReferralKind.TRANSFER:
        local = list(db.session.scalars(ordered.where(Agency.province_code == sender.province_code)))
        if local:
            return local
    return list(db.session.scalars(ordered))


def default_groups(purpose: Purpose) -> list[str]:
    return sorted(PURPOSES[purpose].minimum)


def active_consents(case: Case) -> list[Consent]:
    return list(
        db.session.scalars(
            sa.select(Consent)
            .where(Consent.case_id == case.id, Consent.withdrawn_at.is_(None))
            .order_by(Consent.given_at.desc())
        )
    )


def sharing_refusals(
    case: Case,
    sender: User,
    to_agency: Agency,
    purpose: Purpose,
    kind: ReferralKind,
    groups: set[str],
    legal_basis: LegalBasis,
    consent: Consent | None,
) -> list[str]:
    """Why this sharing may not happen (empty when it may). Reasons are msgids with %(…)s names."""
    reasons = []
    if not access.for_case(sender, case).may_act:
        reasons.append(N_("Only the agency holding the case can refer it."))
    if to_agency not in receiving_agencies(sender.agency, purpose, kind):
        reasons.append(N_("This agency does not take this kind of request in your jurisdiction."))
    if FieldGroup.IDENTITY not in groups:
        reasons.append(N_("Share at least the identity part: the receiver needs to know whom it helps."))
    if groups - {str(g) for g in access.for_case(sender, case).groups}:
        reasons.append(N_("You can share only parts of the record you can see yourself."))
    if groups - {str(g) for g in access.GROUPS_BY_AGENCY_KIND.get(to_agency.kind, ())}:
        reasons.append(N_("The receiving agency's work does not need some of the parts chosen."))
    if legal_basis == LegalBasis.CONSENT:
        if consent is None or consent.case_id != case.id:
            reasons.append(N_("Choose the recorded consent this sharing rests on, or a legal basis."))
        elif not consent.covers(to_agency.kind, purpose):
            reasons.append(N_("The person's consent does not cover this kind of agency and purpose."))
    return reasons


def receiver_view(case: Case, to_agency: Agency, kind: ReferralKind, groups) -> frozenset[FieldGroup]:
    """What the receiver will see once it accepts (``handoff.receiver_groups``: the shared groups its
    work needs plus the part it records its own work in; a transfer, all its kind's groups)."""
    return handoff.receiver_groups(kind, to_agency.kind, groups)


@dataclass(frozen=True)
class Preview:
    """What the sender is shown before sending: the receiver's view, as far as the sender may read it;
    the rest is named (``unseen``), never shown."""

    shown: frozenset[FieldGroup]
    unseen: list[FieldGroup]


def preview(case: Case, seen: access.CaseAccess, to_agency: Agency, kind: ReferralKind, groups) -> Preview:
    """The preview of a sending for a sender who sees the case as ``seen``, logged as a view of the
    groups it opens."""
    receiver_sees = receiver_view(case, to_agency, kind, groups)
    shown = seen.shown_of(receiver_sees)
    audit.record_view(case, shown, purpose="referral_preview")
    return Preview(shown=shown, unseen=sorted(receiver_sees - shown))


def send(
    case: Case,
    sender: User,
    *,
    to_agency: Agency,
    kind: ReferralKind,
    purpose: Purpose,
    urgency: Urgency,
    groups: set[str],
    legal_basis: LegalBasis,
    consent: Consent | None,
    message: str | None,
) -> Referral:
    reasons = sharing_refusals(case, sender, to_agency, purpose, kind, groups, legal_basis, consent)
    if reasons:
        raise TransitionRefused(reasons)
    now = utcnow()
    referral = Referral(
        case=case,
        kind=kind,
        purpose=purpose,
        urgency=urgency,
        from_agency_id=sender.agency_id,
        to_agency_id=to_agency.id,
        shared_groups=sorted(groups),
        legal_basis=legal_basis,
        consent_id=consent.id if legal_basis == LegalBasis.CONSENT else None,
        message=message or None,
        sent_by_id=sender.id,
        sent_at=now,
        answer_due_at=answer_due(now, urgency),
    )
    db.session.add(referral)
    db.session.flush()
    _history(referral, "send", None, ReferralStatus.PENDING, sender)
    audit.record(
        AuditAction.REFER,
        actor=sender,
        object_type=ObjectType.REFERRAL,
        object_id=referral.id,
        case=case,
        fields=groups,
        purpose=str(purpose),
        detail={
            "kind": str(kind),
            "to": to_agency.code,
            "legal_basis": str(legal_basis),
            "urgency": str(urgency),
        },
    )
    return referral


def side_of(user: User, referral: Referral) -> str | None:
    if user.agency_id == referral.to_agency_id:
        return RECEIVER
    if user.agency_id == referral.from_agency_id:
        return SENDER
    return None


def sealed_texts(referral: Referral, side: str | None) -> dict[str, str]:
    """The sealed texts of a referral that ``side`` may read now, by name (decrypting only those).

    The sender reads its message and the receiver's reason for declining. The receiver reads the
    message only while the referral is open: once declined, withdrawn, expired, completed or ended by
    a withdrawn consent, it keeps nothing sealed of the person. The caller logs a view naming them.
    """
    names = {
        SENDER: ("message", "decline_reason"),
        RECEIVER: ("message",) if referral.status in OPEN else (),
    }.get(side, ())
    texts = {name: getattr(referral, name) for name in names}
    return {name: text for name, text in texts.items() if text}


def answer(
    referral: Referral,
    trigger: str,
    actor: User,
    *,
    reason: str | None = None,
    expected_version: int | None = None,
    assign_to: str | None = None,
) -> None:
    """accept, decline, withdraw or complete; raises TransitionRefused, ReferralChanged or PermissionError.

    Accepting a transfer gives the case to ``actor``, or to the colleague ``assign_to`` names (a user id).
    """
    side = side_of(actor, referral)
    if side is None or not access.has_permission(actor, access.Permission.REFERRAL_WORK):
        raise PermissionError("not a party to this referral")
    colleague = None
    if assign_to and trigger == "accept" and referral.kind == ReferralKind.TRANSFER:
        try:
            colleague = assignment.find_worker(assign_to, referral.to_agency_id)
        except assignment.AssignmentRefused as refused:
            raise TransitionRefused([refused.reason]) from None
    with _lost_race():
        _lock(referral)
        if expected_version is not None and int(expected_version) != referral.version:
            raise ReferralChanged(str(referral.id))
        _step(referral, trigger, side, actor, reason=reason)
        if trigger == "accept" and referral.kind == ReferralKind.TRANSFER:
            _transfer_ownership(referral, actor, colleague)
        db.session.flush()


def _transfer_ownership(referral: Referral, actor: User, colleague: User | None = None) -> None:
    """The receiver now holds the case, carried by whoever accepted it (or the colleague they chose);
    the handoff is done, so the transfer is complete."""
    case = referral.case
    previous = case.owning_agency.code
    case.owning_agency_id = referral.to_agency_id
    db.session.flush()
    db.session.expire(case, ["owning_agency"])
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        object_type=ObjectType.CASE,
        object_id=case.id,
        case=case,
        fields=["owning_agency"],
        purpose="transfer",
        detail={"from": previous, "to": referral.to_agency.code},
    )
    assignment.on_transfer(case, actor, colleague)
    _step(referral, "complete", RECEIVER, actor)


def expire_overdue(now: datetime | None = None) -> int:
    """Expire every pending referral past its answer deadline; running it again changes nothing."""
    now = now or utcnow()
    overdue = db.session.scalars(
        sa.select(Referral)
        .where(Referral.status == ReferralStatus.PENDING, Referral.answer_due_at < now)
        .order_by(Referral.answer_due_at)
    ).all()
    for referral in overdue:
        _step(referral, "expire", CLOCK, None)
    db.session.flush()
    return len(overdue)


def record_consent(
    case: Case,
    actor: User,
    *,
    given_by: ConsentGiver,
    guardian_name: str | None,
    agency_kinds: list[str],
    purposes: list[str],
    for_statistics: bool,
    contact_family: bool,
    method: ConsentMethod,
    witness_name: str | None,
    given_at: datetime,
) -> Consent:
    if not access.for_case(actor, case).may_act:
        raise PermissionError("not allowed to act on this case")
    reasons = []
    # A child on the day the consent was given needs their guardian; the same person at 18 consents alone.
    if case.victim.is_minor_on(local_day(given_at)) and given_by != ConsentGiver.GUARDIAN:
        reasons.append(N_("The person is a child: their guardian gives consent."))
    if given_by == ConsentGiver.GUARDIAN and not (guardian_name or "").strip():
        reasons.append(N_("Give the guardian's name."))
    if method == ConsentMethod.VERBAL_WITH_WITNESS and not (witness_name or "").strip():
        reasons.append(N_("Verbal consent needs a witness: give the witness's name."))
    if not agency_kinds or not purposes:
        reasons.append(N_("Choose the kinds of agency and the purposes the person agreed to."))
    if reasons:
        raise TransitionRefused(reasons)
    consent = Consent(
        case=case,
        given_by=given_by,
        guardian_name=(guardian_name or None),
        agency_kinds=sorted(agency_kinds),
        purposes=sorted(purposes),
        for_statistics=for_statistics,
        contact_family=contact_family,
        method=method,
        witness_name=(witness_name or None),
        given_at=given_at,
        recorded_by_id=actor.id,
    )
    db.session.add(consent)
    db.session.flush()
    audit.record(
        AuditAction.CONSENT,
        actor=actor,
        object_type=ObjectType.CONSENT,
        object_id=consent.id,
        case=case,
        detail={
            "given": True,
            "agency_kinds": consent.agency_kinds,
            "purposes": consent.purposes,
            "for_statistics": for_statistics,
            "contact_family": contact_family,
            "method": str(method),
        },
    )
    return consent


def resting_on(consent: Consent) -> list[Referral]:
    """The open referrals that rest on ``consent``: what withdrawing it ends."""
    return list(
        db.session.scalars(
            sa.select(Referral)
            .where(Referral.consent_id == consent.id, Referral.status.in_(sorted(OPEN)))
            .order_by(Referral.sent_at)
        )
    )


def withdraw_consent(
    consent: Consent, actor: User, *, withdrawn_on: date | None = None, reason: str | None = None
) -> list[Referral]:
    """The person takes their consent back (on ``withdrawn_on``, for ``reason``, sealed): every open
    referral resting on it ends now. Returns those referrals."""
    if not access.for_case(actor, consent.case).may_act:
        raise PermissionError("not allowed to act on this case")
    if consent.withdrawn_at is not None:
        raise TransitionRefused([N_("This consent was already withdrawn.")])
    if withdrawn_on is not None and withdrawn_on < local_day(consent.given_at):
        raise TransitionRefused([N_("Consent cannot be withdrawn before the day it was given.")])
    consent.withdrawn_at = utcnow()
    consent.withdrawn_on = withdrawn_on or local_day(consent.withdrawn_at)
    consent.withdrawal_reason = (reason or "").strip() or None
    consent.withdrawn_by_id = actor.id
    resting = resting_on(consent)
    audit.record(
        AuditAction.CONSENT,
        actor=actor,
        object_type=ObjectType.CONSENT,
        object_id=consent.id,
        case=consent.case,
        detail={"given": False, "referrals_ended": len(resting)},
    )
    with _lost_race():
        for referral in resting:
            _lock(referral)
            _step(referral, "withdraw", CONSENT, actor)
        db.session.flush()
    return resting


def _step(
    referral: Referral, trigger: str, side: str, actor: User | None, *, reason: str | None = None
) -> None:
    state = ReferralState(referral.status)
    before = referral.status
    machine.move(state, trigger, side=side, reason=reason)
    now = utcnow()
    referral.status = ReferralStatus(state.status)
    if trigger in ("accept", "decline"):
        referral.answered_by_id = actor.id if actor else None
        referral.answered_at = now
    if trigger == "decline":
        referral.decline_reason = reason.strip()
    if referral.status not in OPEN:
        referral.ended_at = now
    _history(referral, trigger, before, referral.status, actor)
    audit.record(
        AuditAction(trigger),  # the machine's triggers are audit actions of the same name
        actor=actor,
        object_type=ObjectType.REFERRAL,
        object_id=referral.id,
        case=referral.case,
        purpose=str(referral.purpose),
        detail={"kind": str(referral.kind), "by": side, "status": str(referral.status)},
    )


def _history(referral: Referral, trigger: str, before, after, actor: User | None) -> None:
    db.session.add(
        ReferralEvent(
            referral=referral,
            case_id=referral.case_id,
            trigger=trigger,
            from_status=before,
            to_status=after,
            actor_id=actor.id if actor else None,
            agency_id=actor.agency_id if actor else None,
        )
    )


def _lock(referral: Referral) -> None:
    """PostgreSQL: case row first, then the referral's (DESIGN.md §7b); the loser of a race fails at once."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    try:
        lock_case(referral.case)
        db.session.execute(
            sa.select(Referral.id).where(Referral.id == referral.id).with_for_update(nowait=True)
        )
    except (StaleCase, sa.exc.OperationalError):
        raise ReferralChanged(str(referral.id)) from None


@contextmanager
def _lost_race():
    """A concurrent answer shows up as a version mismatch at flush: say so in our own terms."""
    try:
        yield
    except StaleDataError:
        raise ReferralChanged("") from None
