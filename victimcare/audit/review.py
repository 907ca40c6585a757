"""Reading the log for review: who may see which events, and the flags worth a supervisor's look."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import to_user_timezone

from victimcare.accounts.models import Agency, Role, User
from victimcare.audit.models import AuditEvent
from victimcare.extensions import db

WORKING_HOURS = (time(7, 0), time(18, 0))  # Vietnamese offices, Monday to Friday
BULK_WINDOW = timedelta(minutes=10)
BULK_CASES = 20  # distinct cases opened by one person within the window
IN_CHUNK = 500  # values per IN (...): SQLite allows 32,766 parameters a statement
BULK_INTAKE_CHECKS = 10  # intake duplicate checks by one person within the window: someone may be probing


def scope(user: User):
    """The condition on ``AuditEvent`` of what ``user`` reviews (None: everything)."""
    if user.role == Role.AUDITOR:
        return None
    from victimcare.cases.models import Case

    province_agencies = sa.select(Agency.code).where(Agency.province_code == user.agency.province_code)
    province_cases = (
        sa.select(Case.reference)
        .join(Agency, Case.owning_agency_id == Agency.id)
        .where(Agency.province_code == user.agency.province_code)
    )
    return sa.or_(
        AuditEvent.agency_code.in_(province_agencies), AuditEvent.case_reference.in_(province_cases)
    )


def events_in_scope(user: User):
    """Auditors review everything; supervisors the events of their province's agencies and cases."""
    condition = scope(user)
    query = sa.select(AuditEvent)
    return query if condition is None else query.where(condition)


def after_hours(moment: datetime) -> bool:
    local = to_user_timezone(moment)
    return local.weekday() >= 5 or not (WORKING_HOURS[0] <= local.time() < WORKING_HOURS[1])


def flags(events: list[AuditEvent]) -> dict[int, list[str]]:
    """Flags per event seq: break glass, outside working hours, a case owned by another agency when it
    was viewed, sharing on a legal basis instead of consent, role grants, agency changes, password
    resets, bulk viewing and searches that opened nothing."""
    owners = owners_then(events)
    activity = _activity_around(events)
    found: dict[int, list[str]] = {}
    for event in events:
        marks = _marks_of(event, owners.get(event.seq))
        marks += _duty_marks(event)
        marks += _activity_marks(event, activity)
        if marks:
            found[event.seq] = marks
    return found


def _marks_of(event: AuditEvent, owner: str | None) -> list[str]:
    marks = []
    if event.action == "break_glass" or event.purpose == "break_glass":
        marks.append("break_glass")
    if event.actor_username and after_hours(event.occurred_at):
        marks.append("after_hours")
    if owner and event.agency_code not in (None, owner) and _views_for_work(event):
        marks.append("other_agency")
    if event.action in ("login_failed", "lockout", "denied"):
        marks.append("denied")
    if event.action == "refer" and (event.detail or {}).get("legal_basis", "consent") != "consent":
        marks.append("legal_basis")  # shared without the person's consent
    return marks


def _views_for_work(event: AuditEvent) -> bool:
    """A view of a case done for casework: not one under a referral, nor a reviewer reading an
    emergency access's reason (purpose ``review``), which are another agency's case by design."""
    return event.action == "view" and event.purpose != "review" and not under_referral(event)


def under_referral(event: AuditEvent) -> bool:
    """A view by the agency a case was referred to: under a referral accepted then (recorded on the
    event), or of the referral itself (its page is shown only to its two sides)."""
    return event.action == "view" and (
        bool((event.detail or {}).get("referral")) or event.object_type == "referral"
    )


def owners_then(events: list[AuditEvent]) -> dict[int, str]:
    """The agency that owned each event's case when the event happened, by seq.

    Views record it (``operations._facts_of_the_view``). For events from before, it is worked out
    from the log itself: the agency a later transfer of the case moved it from, else today's owner.
    """
    from victimcare.cases.models import Case

    found = {e.seq: e.detail["owner"] for e in events if (e.detail or {}).get("owner")}
    unknown = [e for e in events if e.case_reference and e.seq not in found]
    references = {e.case_reference for e in unknown}
    if not references:
        return found
    current: dict[str, str] = {}
    transfers: dict[str, list[tuple[int, str]]] = {}
    ordered = sorted(references)
    for chunk in (ordered[n : n + IN_CHUNK] for n in range(0, len(ordered), IN_CHUNK)):
        current.update(
            db.session.execute(
                sa.select(Case.reference, Agency.code)
                .join(Agency, Case.owning_agency_id == Agency.id)
                .where(Case.reference.in_(chunk))
            ).all()
        )
        for seq, reference, detail in db.session.execute(
            sa.select(AuditEvent.seq, AuditEvent.case_reference, AuditEvent.detail)
            .where(
                AuditEvent.case_reference.in_(chunk),
                AuditEvent.action == "update",
                AuditEvent.purpose == "transfer",
            )
            .order_by(AuditEvent.seq)
        ):
            transfers.setdefault(reference, []).append((seq, (detail or {}).get("from")))
    for event in unknown:
        later = [moved_from for seq, moved_from in transfers.get(event.case_reference, ()) if seq > event.seq]
        owner = later[0] if later else current.get(event.case_reference)
        if owner:
            found[event.seq] = owner
    return found


# Separation of duties: requests and decisions that change who reads cases, and resets that let an
# administrator act as someone else, are flagged for supervisors and auditors.
_APPROVAL_ACTIONS = ("approval_request", "approval_decision")
_FLAGGED_KINDS = ("role_grant", "agency_change")


def _duty_marks(event: AuditEvent) -> list[str]:
    detail = event.detail or {}
    if event.action in _APPROVAL_ACTIONS and detail.get("kind") in _FLAGGED_KINDS:
        return [detail["kind"]]
    if event.action == "user_change" and detail.get("change") == "password_reset" and event.actor_username:
        return ["password_reset"]
    return []


def case_viewers(case) -> list[AuditEvent]:
    """Who has seen this person's record: every view of the case, newest first."""
    return db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.case_reference == case.reference, AuditEvent.action == "view")
        .order_by(AuditEvent.seq.desc())
        .limit(200)
    ).all()


def _activity_around(events: list[AuditEvent]) -> dict[str, list[AuditEvent]]:
    """Each person's views and searches around the events shown, in one query."""
    people = {e.actor_username for e in events if e.actor_username and e.action in ("view", "search")}
    if not people:
        return {}
    start = min(e.occurred_at for e in events) - BULK_WINDOW
    end = max(e.occurred_at for e in events) + BULK_WINDOW
    rows = db.session.scalars(
        sa.select(AuditEvent)
        .where(
            AuditEvent.actor_username.in_(people),
            AuditEvent.action.in_(("view", "search")),
            AuditEvent.occurred_at.between(start, end),
        )
        .order_by(AuditEvent.seq)
    ).all()
    by_person: dict[str, list[AuditEvent]] = {}
    for row in rows:
        by_person.setdefault(row.actor_username, []).append(row)
    return by_person


def _activity_marks(event: AuditEvent, activity: dict[str, list[AuditEvent]]) -> list[str]:
    """Bulk viewing (many cases in a short time) and searches that found someone but opened nothing."""
    mine = activity.get(event.actor_username or "", [])
    marks = []
    if event.action == "view" and event.case_reference:
        recent = {
            e.case_reference
            for e in mine
            if e.action == "view"
            and e.case_reference
            and event.occurred_at - BULK_WINDOW <= e.occurred_at <= event.occurred_at
        }
        if len(recent) >= BULK_CASES:
            marks.append("bulk_viewing")
    if event.object_type == "intake_check":
        checks = [
            e
            for e in mine
            if e.object_type == "intake_check"
            and event.occurred_at - BULK_WINDOW <= e.occurred_at <= event.occurred_at
        ]
        if len(checks) >= BULK_INTAKE_CHECKS:
            marks.append("many_intake_checks")
    if event.action == "search" and event.detail.get("results"):
        followed = any(
            e.action == "view"
            and e.case_reference
            and e.seq > event.seq
            and e.occurred_at <= event.occurred_at + BULK_WINDOW
            for e in mine
        )
        if not followed:
            marks.append("no_follow_up")
    return marks


GRANT_MATCH = timedelta(seconds=60)  # events logged before they named their grant: the grant made then


def break_glass_reasons(events: list[AuditEvent], user: User) -> dict[int, str]:
    """The written reasons of the emergency accesses among ``events``, for a supervisor of the case's
    province (who judges whether the access was justified), by event seq. Each reason shown is
    decrypted and logged as a view of that grant; auditors and other provinces see none."""
    from victimcare.audit.operations import record_view

    if user.role != Role.SUPERVISOR:
        return {}
    reasons = {}
    for event in events:
        if event.action != "break_glass" or not event.case_reference:
            continue
        grant = _grant_of(event)
        if grant is None or grant.case.owning_agency.province_code != user.agency.province_code:
            continue
        reason = grant.reason  # None once the person is erased: nothing to show, nothing to log
        if reason:
            reasons[event.seq] = reason
            record_view(
                grant.case,
                ["break_glass_reason"],
                purpose="review",
                object_type="break_glass_grant",
                object_id=grant.id,
            )
    return reasons


def _grant_of(event: AuditEvent):
    import uuid

    from victimcare.cases.models import BreakGlassGrant, Case

    grant_id = (event.detail or {}).get("grant")
    if grant_id:
        return db.session.get(BreakGlassGrant, uuid.UUID(grant_id))
    return db.session.scalar(
        sa.select(BreakGlassGrant)
        .join(Case, BreakGlassGrant.case_id == Case.id)
        .where(
            Case.reference == event.case_reference,
            BreakGlassGrant.user_id == event.actor_id,
            BreakGlassGrant.created_at.between(
                event.occurred_at - GRANT_MATCH, event.occurred_at + GRANT_MATCH
            ),
        )
        .order_by(BreakGlassGrant.created_at)
    )


# -- flags kept for counting, and reviews ---------------------------------------------------------

SWEEP_BATCH = 2_000
LIVE_TAIL = 5_000  # events after the sweep judged live by ``unreviewed_flag_count`` (cron keeps it short)


def sweep_flags() -> int:
    """Judge the next batch of events not judged yet and keep their flags (``AuditFlag``); returns how
    many events were judged (0: nothing ready). The caller commits.

    Only events older than ``BULK_WINDOW`` are judged: a search is flagged when nothing was opened
    within that window after it, so a younger one is not settled yet. Two sweepers racing over the
    same batch write it once: the sweep row moves only from the value this one read.
    """
    from victimcare.audit.models import AuditFlag, AuditFlagSweep
    from victimcare.database import utcnow

    last = db.session.scalar(sa.select(AuditFlagSweep.last_seq).where(AuditFlagSweep.id == 1)) or 0
    settled = utcnow() - BULK_WINDOW
    batch = []
    for event in db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.seq > last).order_by(AuditEvent.seq).limit(SWEEP_BATCH)
    ):
        if event.occurred_at > settled:
            break
        batch.append(event)
    if not batch:
        return 0
    moved = db.session.execute(
        sa.update(AuditFlagSweep)
        .where(AuditFlagSweep.id == 1, AuditFlagSweep.last_seq == last)
        .values(last_seq=batch[-1].seq)
    ).rowcount
    if not moved:
        return 0
    rows = [{"seq": seq, "flag": flag} for seq, marks in flags(batch).items() for flag in set(marks)]
    if rows:
        db.session.execute(sa.insert(AuditFlag), rows)
    return len(batch)


def _not_reviewed_nor_own(user: User):
    from victimcare.audit.models import AuditReview

    return sa.and_(
        ~sa.exists().where(AuditReview.seq == AuditEvent.seq),
        sa.or_(AuditEvent.actor_id.is_(None), AuditEvent.actor_id != user.id),
    )


def unreviewed_flag_count(user: User) -> int:
    """How many flagged events ``user`` may review and nobody has reviewed yet: for the home work queue
    of supervisors and auditors (0 for everyone else).

    Cheap enough for every home page: the flags of events the sweep has judged (``sweep_flags``, run
    by ``flask audit sweep-flags`` from cron and by the log's pages) are counted in SQL, and only
    the few events after it — at most ``LIVE_TAIL`` — are judged here. A user's own events are not
    counted: somebody else reviews them. Reads only, so it is safe in a GET request.
    """
    from victimcare.access import Permission, has_permission
    from victimcare.audit.models import AuditFlag, AuditFlagSweep

    if not has_permission(user, Permission.AUDIT_VIEW):
        return 0
    last = db.session.scalar(sa.select(AuditFlagSweep.last_seq).where(AuditFlagSweep.id == 1)) or 0
    condition = scope(user)
    wanted = [_not_reviewed_nor_own(user)] + ([] if condition is None else [condition])
    swept = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(AuditFlag.seq)))
        .join(AuditEvent, AuditEvent.seq == AuditFlag.seq)
        .where(AuditFlag.seq <= last, *wanted)
    )
    tail = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.seq > last, *wanted)
        .order_by(AuditEvent.seq.desc())
        .limit(LIVE_TAIL)
    ).all()
    return swept + len(flags(tail))


class ReviewRefused(Exception):
    """Why events cannot be marked reviewed (a message for the reviewer)."""


def reviews_of(seqs) -> dict:
    """The reviews of the events ``seqs``, by seq."""
    from victimcare.audit.models import AuditReview

    wanted = set(seqs)
    if not wanted:
        return {}
    # One range, not a parameter per event: an export names up to 100,000 of them.
    rows = db.session.scalars(sa.select(AuditReview).where(AuditReview.seq.between(min(wanted), max(wanted))))
    return {r.seq: r for r in rows if r.seq in wanted}


def review_event(user: User, seq: int, note: str) -> int:
    """Mark one flagged event reviewed, with the reviewer's note; returns 1. Refused for an event of
    the reviewer's own, one without a flag, or one reviewed already. None in scope: LookupError."""
    from flask_babel import gettext as _

    event = db.session.scalar(events_in_scope(user).where(AuditEvent.seq == seq))
    if event is None:
        raise LookupError(seq)
    if event.actor_id == user.id:
        raise ReviewRefused(_("Somebody else must review your own events."))
    if not flags([event]):
        raise ReviewRefused(_("This event has no flag to review."))
    if reviews_of([seq]):
        raise ReviewRefused(_("This event has already been reviewed."))
    return _mark(user, [seq], note)


def review_day(user: User, day, note: str) -> int:
    """Mark every flagged event of ``day`` (local) in the reviewer's scope reviewed, but their own and
    those reviewed already; returns how many."""
    from flask_babel import gettext as _

    from victimcare.audit.filters import local_midnight

    start = local_midnight(day)
    query = (
        events_in_scope(user)
        .where(
            AuditEvent.occurred_at >= start,
            AuditEvent.occurred_at < start + timedelta(days=1),
            _not_reviewed_nor_own(user),
        )
        .order_by(AuditEvent.seq)
    )
    flagged: list[int] = []
    after = 0
    while chunk := db.session.scalars(query.where(AuditEvent.seq > after).limit(SWEEP_BATCH)).all():
        flagged += sorted(flags(chunk))
        after = chunk[-1].seq
    if not flagged:
        raise ReviewRefused(_("No flagged event of that day is waiting for your review."))
    return _mark(user, flagged, note, day=day)


def _mark(user: User, seqs: list[int], note: str, day=None) -> int:
    import hashlib

    from victimcare.audit import operations as audit
    from victimcare.audit.models import AuditReview

    note = note.strip()
    db.session.add_all(AuditReview(seq=seq, reviewed_by_id=user.id, note=note) for seq in seqs)
    db.session.flush()
    audit.record(
        "review",
        actor=user,
        object_type="audit_event",
        object_id=seqs[0] if len(seqs) == 1 else None,
        purpose="review",
        detail={
            "events": seqs,
            "count": len(seqs),
            **({"day": day.isoformat()} if day else {}),
            "note_sha256": hashlib.sha256(note.encode()).hexdigest(),
        },
    )
    return len(seqs)
