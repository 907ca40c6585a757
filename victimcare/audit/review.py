"""Reading the log for review: who may see which events, and the flags worth a supervisor's look."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import to_user_timezone

from victimcare.accounts.models import Agency, Role, User
from victimcare.audit.models import AuditEvent
from victimcare.extensions import db
from vocabulary import AuditAction, ObjectType

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
    if event.action == AuditAction.BREAK_GLASS or event.purpose == "break_glass":
        marks.append("break_glass")
    if event.actor_username and after_hours(event.occurred_at):
        marks.append("after_hours")
    if owner and event.agency_code not in (None, owner) and _views_for_work(event):
        marks.append("other_agency")
    if event.action in (AuditAction.LOGIN_FAILED, AuditAction.LOCKOUT, AuditAction.DENIED) or (
        event.action == AuditAction.STEP_UP and event.outcome == "refused"
    ):
        marks.append("denied")
    if event.action == AuditAction.REFER and (event.detail or {}).get("legal_basis", "consent") != "consent":
        marks.append("legal_basis")  # shared without the person's consent
    return marks


def _views_for_work(event: AuditEvent) -> bool:
    """A view of a case done for casework: not one under a referral, nor a reviewer reading an
    emergency access's reason (purpose ``review``), which are another agency's case by design."""
    return event.action == AuditAction.VIEW and event.purpose != "review" and not under_referral(event)


def under_referral(event: AuditEvent) -> bool:
    """A view by the agency a case was referred to: under a referral accepted then (recorded on the
    event), or of the referral itself (its page is shown only to its two sides)."""
    return event.action == AuditAction.VIEW and (
        bool((event.detail or {}).get("referral")) or event.object_type == ObjectType.REFERRAL
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
                AuditEvent.action == AuditAction.UPDATE,
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
_APPROVAL_ACTIONS = (AuditAction.APPROVAL_REQUEST, AuditAction.APPROVAL_DECISION)
_FLAGGED_KINDS = (ObjectType.ROLE_GRANT, ObjectType.AGENCY_CHANGE)  # approval kinds, named as object types


def _duty_marks(event: AuditEvent) -> list[str]:
    detail = event.detail or {}
    if event.action in _APPROVAL_ACTIONS and detail.get("kind") in _FLAGGED_KINDS:
        return [detail["kind"]]
    if (
        event.action == AuditAction.USER_CHANGE
        and detail.get("change") in ("password_reset", "second_factor_reset")
        and event.actor_username
    ):
        return [detail["change"]]
    return []


def case_viewers(case) -> list[AuditEvent]:
    """Who has seen this person's record: every view of the case, newest first."""
    return db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.case_reference == case.reference, AuditEvent.action == AuditAction.VIEW)
        .order_by(AuditEvent.seq.desc())
        .limit(200)
    ).all()


@dataclass
class _Trail:
    """One person's case views and intake checks around the events judged, ready for bisecting."""

    views_by_time: list[tuple[datetime, str]] = field(default_factory=list)  # (time, case reference)
    view_seqs: list[int] = field(default_factory=list)  # in log order…
    earliest_after: list[datetime] = field(default_factory=list)  # …with the earliest time from there on
    checks: list[datetime] = field(default_factory=list)  # intake checks' times, sorted


def _activity_around(events: list[AuditEvent]) -> dict[str, _Trail]:
    """Each person's views and searches around the events judged, in one query of a few columns."""
    people = {
        e.actor_username
        for e in events
        if e.actor_username and e.action in (AuditAction.VIEW, AuditAction.SEARCH)
    }
    if not people:
        return {}
    start = min(e.occurred_at for e in events) - BULK_WINDOW
    end = max(e.occurred_at for e in events) + BULK_WINDOW
    rows = db.session.execute(
        sa.select(
            AuditEvent.actor_username,
            AuditEvent.seq,
            AuditEvent.occurred_at,
            AuditEvent.case_reference,
            AuditEvent.object_type,
            AuditEvent.action,
        )
        .where(
            AuditEvent.actor_username.in_(people),
            AuditEvent.action.in_((AuditAction.VIEW, AuditAction.SEARCH)),
            AuditEvent.occurred_at.between(start, end),
        )
        .order_by(AuditEvent.seq)
    ).all()
    trails: dict[str, _Trail] = {}
    for username, seq, moment, reference, object_type, action in rows:
        trail = trails.setdefault(username, _Trail())
        if action == AuditAction.VIEW and reference:
            trail.views_by_time.append((moment, reference))
            trail.view_seqs.append(seq)
            trail.earliest_after.append(moment)
        elif object_type == ObjectType.INTAKE_CHECK:
            trail.checks.append(moment)
    for trail in trails.values():
        trail.views_by_time.sort()
        trail.checks.sort()
        for n in range(len(trail.earliest_after) - 2, -1, -1):
            trail.earliest_after[n] = min(trail.earliest_after[n], trail.earliest_after[n + 1])
    return trails


def _activity_marks(event: AuditEvent, activity: dict[str, _Trail]) -> list[str]:
    """Bulk viewing (many cases in a short time), many intake checks, and searches that found someone
    but opened nothing. Each is a bisection into the person's trail, not a walk through it."""
    trail = activity.get(event.actor_username or "")
    if trail is None:
        return []
    marks = []
    moment = event.occurred_at
    if event.action == AuditAction.VIEW and event.case_reference:
        first = bisect_left(trail.views_by_time, (moment - BULK_WINDOW, ""))
        last = bisect_right(trail.views_by_time, (moment, "\uffff"))
        cases: set[str] = set()
        for _when, reference in reversed(trail.views_by_time[first:last]):
            cases.add(reference)
            if len(cases) >= BULK_CASES:
                marks.append("bulk_viewing")
                break
    if event.object_type == ObjectType.INTAKE_CHECK:
        checks = bisect_right(trail.checks, moment) - bisect_left(trail.checks, moment - BULK_WINDOW)
        if checks >= BULK_INTAKE_CHECKS:
            marks.append("many_intake_checks")
    if event.action == AuditAction.SEARCH and (event.detail or {}).get("results"):
        after = bisect_right(trail.view_seqs, event.seq)
        if after == len(trail.view_seqs) or trail.earliest_after[after] > moment + BULK_WINDOW:
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
        if event.action != AuditAction.BREAK_GLASS or not event.case_reference:
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
                object_type=ObjectType.BREAK_GLASS_GRANT,
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
    marks = flags(batch)
    flagged = [e for e in batch if e.seq in marks]
    if flagged:
        provinces = _provinces_of(flagged)
        reviewed = reviews_of([e.seq for e in flagged])
        db.session.execute(
            sa.insert(AuditFlag),
            [
                {
                    "seq": e.seq,
                    "flags": " ".join(dict.fromkeys(marks[e.seq])),
                    "actor_id": e.actor_id,
                    "agency_province": provinces.get(e.agency_code),
                    "case_province": provinces.get(e.case_reference),
                    "reviewed": e.seq in reviewed,
                }
                for e in flagged
            ],
        )
    return len(batch)


def _provinces_of(events: list[AuditEvent]) -> dict[str, str]:
    """The province of each event's agency (by code) and of its case's owner (by reference), now."""
    from victimcare.cases.models import Case

    found = dict(db.session.execute(sa.select(Agency.code, Agency.province_code)).all())
    references = sorted({e.case_reference for e in events if e.case_reference})
    for chunk in (references[n : n + IN_CHUNK] for n in range(0, len(references), IN_CHUNK)):
        found.update(
            db.session.execute(
                sa.select(Case.reference, Agency.province_code)
                .join(Agency, Case.owning_agency_id == Agency.id)
                .where(Case.reference.in_(chunk))
            ).all()
        )
    return found


def _not_reviewed_nor_own(user: User, row=AuditEvent):
    from victimcare.audit.models import AuditReview

    return sa.and_(
        ~sa.exists().where(AuditReview.seq == row.seq),
        sa.or_(row.actor_id.is_(None), row.actor_id != user.id),
    )


COUNT_CAP = 1_000  # the queue says "1,000 or more" rather than count a backlog row by row


def unreviewed_flag_count(user: User, cap: int = COUNT_CAP) -> int:
    """How many flagged events ``user`` may review and nobody has reviewed yet: for the home work queue
    of supervisors and auditors (0 for everyone else).

    Cheap enough for every home page: the events the sweep has judged (``sweep_flags``, run by
    ``flask audit sweep-flags`` from cron and by the log's page) are counted from ``audit_flags``'
    indexes, and only the events after it — at most ``LIVE_TAIL`` — are judged here. A user's own
    events are not counted: somebody else reviews them. A supervisor's province is matched as the
    event's agency and case stood when the sweep judged it. The count stops at ``cap`` (a queue
    shows "1,000+"), so a backlog costs no more than that. Reads only: safe in a GET request.
    """
    from victimcare.access import Permission, has_permission
    from victimcare.audit.models import AuditFlag, AuditFlagSweep

    if not has_permission(user, Permission.AUDIT_VIEW):
        return 0
    last = db.session.scalar(sa.select(AuditFlagSweep.last_seq).where(AuditFlagSweep.id == 1)) or 0
    swept = sa.select(AuditFlag.seq).where(
        AuditFlag.reviewed.is_(False), _not_reviewed_nor_own(user, AuditFlag)
    )
    if user.role != Role.AUDITOR:  # a union, so each half reads its own index
        province = user.agency.province_code
        halves = [
            swept.where(AuditFlag.agency_province == province).limit(cap).subquery(),
            swept.where(AuditFlag.case_province == province).limit(cap).subquery(),
        ]
        swept = sa.union(*(sa.select(half.c.seq) for half in halves))
    condition = scope(user)
    tail = db.session.scalars(
        sa.select(AuditEvent)
        .where(
            AuditEvent.seq > last, _not_reviewed_nor_own(user), *([] if condition is None else [condition])
        )
        .order_by(AuditEvent.seq.desc())
        .limit(LIVE_TAIL)
    ).all()
    live = len(flags(tail))
    if live >= cap:
        return cap
    counted = db.session.scalar(sa.select(sa.func.count()).select_from(swept.limit(cap - live).subquery()))
    return live + counted


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
    from victimcare.audit.models import AuditFlag, AuditReview

    note = note.strip()
    db.session.add_all(AuditReview(seq=seq, reviewed_by_id=user.id, note=note) for seq in seqs)
    for chunk in (seqs[n : n + IN_CHUNK] for n in range(0, len(seqs), IN_CHUNK)):
        db.session.execute(sa.update(AuditFlag).where(AuditFlag.seq.in_(chunk)).values(reviewed=True))
    db.session.flush()
    audit.record(
        AuditAction.REVIEW,
        actor=user,
        object_type=ObjectType.AUDIT_EVENT,
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
