"""Who may receive which support, and the time limits of support (Law 53/2024 Art 37; Decree 162).

Pure Python, like the other workflows: the rule tables here drive the support forms (which types
are offered, and why another is not), the deadlines shown on a case, and the checks of the
victim's path that depend on support records. Values marked *(configurable)* in DOMAIN.md can be
overridden through the app's settings.

Tables:
  ELIGIBILITY            beneficiary status → support types (a)–(k) (DOMAIN.md §4)
  REGIME_2011_TYPES      what the 2011 law (No. 66/2011/QH12 Art 33) gave; people identified
                         before 1 July 2025 keep that regime (Law 53/2024 Art 63)
  DECISION_TYPES         types decided on an application within 9 working days (Decree 162 Art 24)
  LODGING_DAYS           the essential-needs limit, 120 days, extendable by decision (Decree 162 Art 17)
  FOLLOW_UP_MONTHS       reintegration follow-ups after the plan starts (configurable)
"""

from __future__ import annotations

import calendar
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from workflows.victim_path import N_
from workflows.working_days import add_working_days


class SupportType(StrEnum):
    """Law 53/2024 Art 37(1) (a)–(k); the letter is the value's suffix in the law's order."""

    ESSENTIAL_NEEDS = "essential_needs"  # (a) lodging, food, daily items, hygiene, school items
    MEDICAL = "medical"  # (b) health check, first aid, treatment, first-year health insurance
    INTERPRETATION = "interpretation"  # (c)
    LEGAL_COUNSELLING = "legal_counselling"  # (d)
    LEGAL_AID = "legal_aid"  # (đ) free legal aid
    TRAVEL_HOME = "travel_home"  # (e) travel costs back home
    PSYCHOLOGICAL = "psychological"  # (g)
    SCHOOLING = "schooling"  # (h) general education
    VOCATIONAL = "vocational"  # (i) vocational training, counselling, job placement
    HARDSHIP = "hardship"  # (k) initial hardship allowance and loans


LETTERS: dict[SupportType, str] = dict(
    zip(SupportType, ("a", "b", "c", "d", "đ", "e", "g", "h", "i", "k"), strict=True)
)


class Beneficiary(StrEnum):
    """A person's status for support (DOMAIN.md §4), derived from the case, never typed in."""

    VICTIM = "victim"  # identified; Vietnamese citizen or stateless resident
    ACCOMPANYING_CHILD = "accompanying_child"  # under 18, travelling with such a victim
    UNDER_IDENTIFICATION_ABROAD = "under_identification_abroad"
    UNDER_IDENTIFICATION_VN = "under_identification_vn"
    FOREIGN_VICTIM = "foreign_victim"  # a foreign national trafficked in Vietnam
    RELATIVE = "relative"  # a relative at risk: protection measures, not support


T = SupportType
ELIGIBILITY: dict[Beneficiary, frozenset[SupportType]] = {
    Beneficiary.VICTIM: frozenset(T),
    Beneficiary.ACCOMPANYING_CHILD: frozenset(
        {
            T.ESSENTIAL_NEEDS,
            T.MEDICAL,
            T.INTERPRETATION,
            T.LEGAL_COUNSELLING,
            T.LEGAL_AID,
            T.TRAVEL_HOME,
            T.PSYCHOLOGICAL,
            T.SCHOOLING,
        }
    ),
    Beneficiary.UNDER_IDENTIFICATION_ABROAD: frozenset(
        {T.ESSENTIAL_NEEDS, T.MEDICAL, T.INTERPRETATION, T.LEGAL_COUNSELLING}
    ),
    Beneficiary.UNDER_IDENTIFICATION_VN: frozenset(
        {
            T.ESSENTIAL_NEEDS,
            T.MEDICAL,
            T.INTERPRETATION,
            T.LEGAL_COUNSELLING,
            T.LEGAL_AID,
            T.TRAVEL_HOME,
            T.PSYCHOLOGICAL,
        }
    ),
    Beneficiary.FOREIGN_VICTIM: frozenset(
        {T.ESSENTIAL_NEEDS, T.MEDICAL, T.INTERPRETATION, T.LEGAL_COUNSELLING, T.LEGAL_AID, T.PSYCHOLOGICAL}
    ),
    Beneficiary.RELATIVE: frozenset(),
}

# Why a type is not offered, per status: what the user reads beside the type.
NOT_ELIGIBLE_REASONS: dict[Beneficiary, str] = {
    Beneficiary.VICTIM: N_("Not offered to victims."),
    Beneficiary.ACCOMPANYING_CHILD: N_(
        "Children accompanying a victim receive types (a)–(h) only (Law Art 37)."
    ),
    Beneficiary.UNDER_IDENTIFICATION_ABROAD: N_(
        "A person under identification abroad receives types (a)–(d) only, until identified (Law Art 37)."
    ),
    Beneficiary.UNDER_IDENTIFICATION_VN: N_(
        "A person under identification in Vietnam receives types (a)–(g) only, until identified (Law Art 37)."
    ),
    Beneficiary.FOREIGN_VICTIM: N_(
        "A foreign victim receives types (a), (b), (c), (d), (đ) and (g) only (Law Art 37)."
    ),
    Beneficiary.RELATIVE: N_("Relatives at risk receive protection measures, not support (Decree 162)."),
}

# Law 66/2011/QH12 Art 33: essential needs and travel, medical, psychological, legal aid,
# schooling and vocational training, hardship allowance and loans; no interpretation or counselling.
REGIME_2011_TYPES = frozenset(
    {
        T.ESSENTIAL_NEEDS,
        T.TRAVEL_HOME,
        T.MEDICAL,
        T.PSYCHOLOGICAL,
        T.LEGAL_AID,
        T.SCHOOLING,
        T.VOCATIONAL,
        T.HARDSHIP,
    }
)
REGIME_2011_REASON = N_("Not in the 2011 regime this person keeps (Law 66/2011 Art 33; Law 53/2024 Art 63).")

# Support given by deciding on the person's application (form Mẫu 07), within 9 working days.
DECISION_TYPES = frozenset({T.SCHOOLING, T.VOCATIONAL, T.HARDSHIP})
DECISION_WORKING_DAYS = 9  # Decree 162 Art 24
# Types where money changes hands, so the amount in VND is asked for.
MONEY_TYPES = frozenset({T.ESSENTIAL_NEEDS, T.TRAVEL_HOME, T.SCHOOLING, T.VOCATIONAL, T.HARDSHIP, T.MEDICAL})
LODGING_DAYS = 120  # Decree 162 Art 17
DUE_SOON_DAYS = 14  # how early a coming limit is flagged
FOLLOW_UP_MONTHS = (1, 3, 6, 12)  # configurable


class ServiceStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DELIVERED = "delivered"
    REFUSED = "refused"  # the person refused it (victim-centred: recorded, not pushed)
    STOPPED = "stopped"
    NOT_NEEDED = "not_needed"  # considered with the person and not needed: counts as considered


OPEN_STATUSES = frozenset({ServiceStatus.PLANNED, ServiceStatus.IN_PROGRESS})


@dataclass(frozen=True)
class Offer:
    """One support type for one person: offered, or not with the reason the form shows."""

    type: SupportType
    letter: str
    eligible: bool
    reason: str | None = None


def beneficiary_status(
    *, role: str | None, identified: bool, nationality: str | None, abroad: bool
) -> Beneficiary:
    """The status support depends on. ``role`` is the person's role around the case (None: its victim)."""
    if role == "relative_at_risk":
        return Beneficiary.RELATIVE
    if role == "accompanying_child":
        return Beneficiary.ACCOMPANYING_CHILD
    if identified and role is None:
        # Stateless residents count as Vietnamese victims; their nationality is recorded as "XX".
        return Beneficiary.VICTIM if (nationality or "VN") in ("VN", "XX") else Beneficiary.FOREIGN_VICTIM
    return Beneficiary.UNDER_IDENTIFICATION_ABROAD if abroad else Beneficiary.UNDER_IDENTIFICATION_VN


def offers(status: Beneficiary, regime: str) -> list[Offer]:
    """Every type (a)–(k) for this person, in the law's order, each offered or refused with a reason."""
    found = []
    for support_type in SupportType:
        reason = None
        if support_type not in ELIGIBILITY[status]:
            reason = NOT_ELIGIBLE_REASONS[status]
        elif regime == "2011" and support_type not in REGIME_2011_TYPES:
            reason = REGIME_2011_REASON
        found.append(Offer(support_type, LETTERS[support_type], reason is None, reason))
    return found


def eligible_types(status: Beneficiary, regime: str) -> list[SupportType]:
    return [offer.type for offer in offers(status, regime) if offer.eligible]


# -- time limits ---------------------------------------------------------------------------------


class Due(StrEnum):
    """Where a time limit stands on a given day."""

    MET = "met"  # decided or ended in time, or no limit applies
    PENDING = "pending"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


def decision_due(applied_on: date, holidays: Collection[date], days: int = DECISION_WORKING_DAYS) -> date:
    """The last day to decide on an application: the 9th Vietnamese working day after it."""
    return add_working_days(applied_on, days, holidays)


def lodging_limit(starts_on: date, extended_until: date | None = None, days: int = LODGING_DAYS) -> date:
    """The last day of essential-needs support: 120 days from its start, or the extension's new end."""
    return extended_until or starts_on + timedelta(days=days - 1)


def standing(limit: date | None, *, today: date, done: bool, soon_days: int = DUE_SOON_DAYS) -> Due:
    """Where a limit stands: ``done`` means the decision was taken or the support ended."""
    if limit is None or done:
        return Due.MET
    if today > limit:
        return Due.OVERDUE
    if (limit - today).days < soon_days:
        return Due.DUE_SOON
    return Due.PENDING


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day where it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def follow_up_schedule(start: date, months: Collection[int] = FOLLOW_UP_MONTHS) -> list[date]:
    return [add_months(start, m) for m in sorted(months)]


# -- the closing checklist -------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistItem:
    name: str
    label: str
    done: bool
    missing: tuple[str, ...] = ()  # what is still open, for the reason shown


ESSENTIAL_NEEDS_LABEL = N_("Essential-needs support decided, with its decision reference")
CHECKLIST_LABELS = {
    "support_considered": N_("Every eligible support type considered with the person"),
    "protection_ended": N_("Protection measures ended or handed over"),
    "follow_ups_done": N_("Follow-up visits done, or the reason they were not"),
}
