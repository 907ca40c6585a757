"""The statistics the plans demand, declared as data (DOMAIN.md §6, DESIGN.md §10).

Pure Python: no Flask, no database. Each indicator says what it counts, which dated fact places a
unit in a period, which breakdowns it allows, its target where a plan sets one, and the article or
plan it answers to. ``victimcare.reports.figures`` turns a declaration into one GROUP BY over the clear
coded columns; nothing here or there decrypts a person's data, so an erased person still counts.

Labels are English msgids marked with ``N_``; the Vietnamese comes from the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from workflows.victim_path import N_


class Unit(StrEnum):
    """What one counted row is."""

    CASES = "cases"
    PERSONS = "persons"
    SERVICES = "services"
    MEASURES = "measures"
    REFERRALS = "referrals"
    VISITS = "visits"


class Source(StrEnum):
    """The dated fact that places a unit in a period."""

    RECEIVED = "received"  # cases.received_at (else created_at): reports and intakes received
    STEP = "step"  # stage_events.created_at of the named triggers
    SUPPORT = "support"  # support_services.starts_on, delivered or under way
    MEASURE = "measure"  # protection_measures.starts_on
    REFERRAL = "referral"  # referrals.sent_at
    FOLLOW_UP = "follow_up"  # follow_ups.due_on


class Breakdown(StrEnum):
    """Ways to cut a count. Each is exclusive: every unit falls in exactly one row (unknown included)."""

    SEX = "sex"
    AGE_BAND = "age_band"
    ETHNICITY = "ethnicity"
    ABROAD = "abroad"
    DESTINATION = "destination"
    EXPLOITATION = "exploitation"
    RETURN_ROUTE = "return_route"
    PROVINCE = "province"
    AGENCY = "agency"
    CHANNEL = "channel"
    CLOSURE_REASON = "closure_reason"
    SUPPORT_TYPE = "support_type"
    BENEFICIARY = "beneficiary"
    MEASURE = "measure"
    RECEIVER_KIND = "receiver_kind"
    REFERRAL_STATUS = "referral_status"
    ON_TIME = "on_time"
    SUPPORTED = "supported"


BREAKDOWN_LABELS: dict[Breakdown, str] = {
    Breakdown.SEX: N_("Sex"),
    Breakdown.AGE_BAND: N_("Age at intake"),
    Breakdown.ETHNICITY: N_("Ethnicity"),
    Breakdown.ABROAD: N_("Trafficked abroad or at home"),
    Breakdown.DESTINATION: N_("Destination country"),
    Breakdown.EXPLOITATION: N_("Form of exploitation"),
    Breakdown.RETURN_ROUTE: N_("How the person came back"),
    Breakdown.PROVINCE: N_("Province of residence"),
    Breakdown.AGENCY: N_("Agency"),
    Breakdown.CHANNEL: N_("How the case reached us"),
    Breakdown.CLOSURE_REASON: N_("Reason for closing"),
    Breakdown.SUPPORT_TYPE: N_("Type of support"),
    Breakdown.BENEFICIARY: N_("Beneficiary group"),
    Breakdown.MEASURE: N_("Protection measure"),
    Breakdown.RECEIVER_KIND: N_("Receiving agency kind"),
    Breakdown.REFERRAL_STATUS: N_("Answer"),
    Breakdown.ON_TIME: N_("Within the time limit"),
    Breakdown.SUPPORTED: N_("Received support"),
}

# Every person-level fact of DOMAIN.md §6; counts of cases, steps and people allow all of them.
PERSON_BREAKDOWNS = (
    Breakdown.SEX,
    Breakdown.AGE_BAND,
    Breakdown.ETHNICITY,
    Breakdown.ABROAD,
    Breakdown.DESTINATION,
    Breakdown.EXPLOITATION,
    Breakdown.RETURN_ROUTE,
    Breakdown.PROVINCE,
    Breakdown.AGENCY,
)

# Age bands at intake (DOMAIN.md §6), from the clear birth year: an age in whole years, ±1.
AGE_BANDS = (("under_12", 0, 11), ("12_15", 12, 15), ("16_17", 16, 17), ("18_over", 18, 200))

# How the person came back: one exclusive code per case, from its single intake channel, so a
# person is never counted twice (official figures elsewhere add up to 130 %).
RETURN_ROUTES = {
    "self_presented": "self_returned",
    "rescue": "rescued",
    "border_handover": "official_handover",
    "repatriation": "via_embassy",
}

# Closing triggers and the reason each records (workflows/victim_path.py).
CLOSING_TRIGGERS = {
    "close_case": "reintegrated",
    "not_confirmed": "not_confirmed",
    "decline_assistance": "declined",
    "close_transferred": "transferred",
    "record_death": "died",
}


@dataclass(frozen=True)
class Target:
    """A programme target: the share (in %) of an indicator's count that should fall in one breakdown row."""

    percent: int
    by: Breakdown
    value: str
    label: str
    basis: str


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    unit: Unit
    source: Source
    breakdowns: tuple[Breakdown, ...]
    basis: str  # the article or plan this count answers to
    triggers: tuple[str, ...] = ()  # for Source.STEP
    target: Target | None = None


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "received",
        N_("Reports and intakes received"),
        Unit.CASES,
        Source.RECEIVED,
        (Breakdown.CHANNEL, *PERSON_BREAKDOWNS),
        "Law 53/2024 Art 27(1); Decision 193/QĐ-TTg: 100 % of reports received and classified",
    ),
    Indicator(
        "verified",
        N_("Persons verified"),
        Unit.PERSONS,
        Source.STEP,
        PERSON_BREAKDOWNS,
        "Law 53/2024 Art 27(2): initial verification within 3 days",
        triggers=("request_identification",),
    ),
    Indicator(
        "identified",
        N_("Persons identified as victims"),
        Unit.PERSONS,
        Source.STEP,
        (Breakdown.SUPPORTED, *PERSON_BREAKDOWNS),
        "Law 53/2024 Art 32",
        triggers=("confirm_for_rescue", "confirm_safe"),
        target=Target(
            100,
            Breakdown.SUPPORTED,
            "yes",
            N_("received support"),
            "Decision 193/QĐ-TTg: 100 % of victims receive the support the law gives them",
        ),
    ),
    Indicator(
        "not_confirmed",
        N_("Persons not confirmed as victims"),
        Unit.PERSONS,
        Source.STEP,
        PERSON_BREAKDOWNS,
        "Law 53/2024 Art 32",
        triggers=("not_confirmed",),
    ),
    Indicator(
        "reopened",
        N_("Cases reopened (re-trafficking or new evidence)"),
        Unit.CASES,
        Source.STEP,
        PERSON_BREAKDOWNS,
        "Decision 193/QĐ-TTg: prevent re-trafficking",
        triggers=("reopen",),
    ),
    Indicator(
        "closed",
        N_("Cases closed"),
        Unit.CASES,
        Source.STEP,
        (Breakdown.CLOSURE_REASON, *PERSON_BREAKDOWNS),
        "Law 53/2024 Art 42–44; Decision 193/QĐ-TTg",
        triggers=tuple(CLOSING_TRIGGERS),
    ),
    Indicator(
        "support",
        N_("Support delivered"),
        Unit.SERVICES,
        Source.SUPPORT,
        (Breakdown.SUPPORT_TYPE, Breakdown.BENEFICIARY, Breakdown.AGENCY),
        "Law 53/2024 Art 37; Decree 162/2025 Art 17–24",
    ),
    Indicator(
        "measures",
        N_("Protection measures applied"),
        Unit.MEASURES,
        Source.MEASURE,
        (Breakdown.MEASURE, Breakdown.AGENCY),
        "Law 53/2024 Art 40; Decree 162/2025",
    ),
    Indicator(
        "referrals",
        N_("Referrals and transfers sent"),
        Unit.REFERRALS,
        Source.REFERRAL,
        (Breakdown.RECEIVER_KIND, Breakdown.REFERRAL_STATUS, Breakdown.AGENCY),
        "Law 53/2024 Art 28 (handing victims between agencies)",
    ),
    Indicator(
        "follow_ups",
        N_("Follow-up visits due"),
        Unit.VISITS,
        Source.FOLLOW_UP,
        (Breakdown.ON_TIME, Breakdown.AGENCY),
        "Decree 162/2025 (reintegration follow-up)",
    ),
)

BY_CODE = {indicator.code: indicator for indicator in INDICATORS}

# Labels of the codes this module makes up (stored enums have theirs in victimcare.labels).
VALUE_LABELS: dict[str, str] = {
    "unknown": N_("Unknown"),
    "several": N_("Several forms"),
    "other": N_("Other or unknown"),
    "under_12": N_("Under 12"),
    "12_15": N_("12–15"),
    "16_17": N_("16–17"),
    "18_over": N_("18 and over"),
    "kinh": N_("Kinh"),
    "minority": N_("Ethnic minority"),
    "abroad": N_("Abroad"),
    "domestic": N_("In Vietnam"),
    "self_returned": N_("Returned by themselves"),
    "rescued": N_("Rescued"),
    "official_handover": N_("Official handover"),
    "via_embassy": N_("Through an embassy"),
    "on_time": N_("Done on time"),
    "late": N_("Done late"),
    "missed": N_("Not done, overdue"),
    "not_yet_due": N_("Not yet due"),
    "yes": N_("Yes"),
    "no": N_("No"),
}
