"""The log's filters, read from the address and checked: each one that cannot be applied says why, in the
reader's language, next to what was typed (never silently everything, or nothing).

A case is found by its reference however it is typed (``vc-2026-000042``, ``2026-000042`` or ``42``,
the last in any year); people and agencies are picked from lists of those the reader may review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import to_utc

from victimcare.accounts.models import Agency, Role, User
from victimcare.audit.labels import code_label
from victimcare.audit.models import AuditEvent
from victimcare.extensions import db
from victimcare.forms import invalid_date, parse_day
from vocabulary import AuditAction

_REFERENCE = re.compile(r"^(?:VC[-\s]?)?(?:(\d{4})[-\s]?)?0*(\d{1,6})$", re.IGNORECASE)


@dataclass
class LogFilter:
    """What the reader asked for, what could be applied, and what could not (``errors`` by field)."""

    args: dict[str, str]
    conditions: list = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


def reviewable_users(viewer: User) -> list[User]:
    """The staff whose events ``viewer`` reviews: everyone for auditors, their province for supervisors."""
    query = sa.select(User).join(Agency, User.agency_id == Agency.id).order_by(User.display_name)
    if viewer.role != Role.AUDITOR:
        query = query.where(Agency.province_code == viewer.agency.province_code)
    return db.session.scalars(query).all()


def reviewable_agencies(viewer: User) -> list[Agency]:
    query = sa.select(Agency).order_by(Agency.name)
    if viewer.role != Role.AUDITOR:
        query = query.where(Agency.province_code == viewer.agency.province_code)
    return db.session.scalars(query).all()


def action_choices() -> list[tuple[str, str]]:
    return sorted(
        ((a.value, code_label(a.value, AuditAction)) for a in AuditAction), key=lambda pair: pair[1]
    )


def case_condition(text: str):
    """The condition matching a typed case reference, or None when it cannot be one."""
    found = _REFERENCE.match(text.strip())
    if not found:
        return None
    year, number = found.groups()
    if year:
        return AuditEvent.case_reference == f"VC-{year}-{int(number):06d}"
    return AuditEvent.case_reference.like(f"VC-____-{int(number):06d}")


def parse(args, viewer: User) -> LogFilter:
    """Read the filters of the log from ``args`` (the query string)."""
    found = LogFilter(args={k: v.strip() for k, v in args.items() if k != "page"})
    _people(found, viewer)
    case = found.args.get("case", "")
    if case:
        condition = case_condition(case)
        if condition is None:
            found.errors["case"] = _("Type a case reference such as VC-2026-000042, 2026-000042 or 42.")
        else:
            found.conditions.append(condition)
    action = found.args.get("action", "")
    if action:
        if action in {a.value for a in AuditAction}:
            found.conditions.append(AuditEvent.action == action)
        else:
            found.errors["action"] = _("Choose an action from the list.")
    _days(found)
    return found


def _people(found: LogFilter, viewer: User) -> None:
    username = found.args.get("user", "")
    if username:
        if username in {u.username for u in reviewable_users(viewer)}:
            found.conditions.append(AuditEvent.actor_username == username)
        else:
            found.errors["user"] = _("Choose a person from the list.")
    agency = found.args.get("agency", "")
    if agency:
        if agency in {a.code for a in reviewable_agencies(viewer)}:
            found.conditions.append(AuditEvent.agency_code == agency)
        else:
            found.errors["agency"] = _("Choose an agency from the list.")


def _days(found: LogFilter) -> None:
    days = {}
    for name in ("from", "to"):
        text = found.args.get(name, "")
        if not text:
            continue
        day = parse_day(text)
        if day is None:
            found.errors[name] = str(invalid_date())
        else:
            days[name] = day
    if "from" in days and "to" in days and days["from"] > days["to"]:
        found.errors["to"] = _("The end of the period is before its start.")
        return
    if "from" in days:
        found.conditions.append(AuditEvent.occurred_at >= local_midnight(days["from"]))
    if "to" in days:
        found.conditions.append(AuditEvent.occurred_at < local_midnight(days["to"] + timedelta(days=1)))


def local_midnight(day) -> datetime:
    """A day in Vietnam's time zone, as the aware UTC moment it starts."""
    return to_utc(datetime(day.year, day.month, day.day)).replace(tzinfo=UTC)
