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
    DEADLINES = "deadlines"  # one time limit that fell due: met, missed, or still running
    ASSESSMENTS = "assessments"


class Source(StrEnum):
    """The dated fact that places a unit in a period."""

    RECEIVED = "received"  # cases.received_at (else created_at): reports and intakes received
    STEP = "step"  # stage_events.created_at of the named triggers
    SUPPORT = "support"  # support_services.starts_on, delivered or under way
    MEASURE = "measure"  # protection_measures.starts_on
    REFERRAL = "referral"  # referrals.sent_at
    FOLLOW_UP = "follow_up"  # follow_ups.due_on
    # Snapshots: counted at the period's end, from the stage a case was in then (its stage events).
    SPELL = "spell"  # a case's time in one open stage: from the step into it to the next step
    OVERDUE = "overdue"  # a spell whose time limit passed before the case left the stage
    # Time limits, placed by the day they fall due.
    VERIFICATION_LIMIT = "verification_limit"  # 3 days in verification (Law 53/2024 Art 27(2))
    DECISION_LIMIT = "decision_limit"  # support_services.decision_due_on (Decree 162/2025 Art 24)
    LODGING_LIMIT = "lodging_limit"  # essential needs: 120 days or the extension (Decree 162/2025 Art 17)
    ANSWER_LIMIT = "answer_limit"  # referrals.answer_due_at
    ANSWER = "answer"  # referrals.answered_at: answers given, and how long they took
    REFUSAL = "refusal"  # risk_assessments.assessed_on where the person refused protection


SNAPSHOTS = frozenset({Source.SPELL, Source.OVERDUE})


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
    STAGE = "stage"
    ROUTE = "route"  # sending agency kind → receiving agency kind: one code per referral
    REFERRAL_KIND = "referral_kind"
    ANSWER_TIME = "answer_time"
    LEGAL_REGIME = "legal_regime"


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
    Breakdown.STAGE: N_("Stage"),
    Breakdown.ROUTE: N_("Sending and receiving agency kinds"),
    Breakdown.REFERRAL_KIND: N_("Referral or transfer"),
    Breakdown.ANSWER_TIME: N_("Time to answer"),
    Breakdown.LEGAL_REGIME: N_("Legal regime"),
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


# Answer times in bands (hours, upper bound included); a referral's answer falls in exactly one.
ANSWER_BANDS = (("within_24h", 24), ("1_3_days", 72), ("3_7_days", 168), ("over_7_days", None))


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
    median: str | None = None  # the label of a median shown beside the count (its value: hours)

    @property
    def snapshot(self) -> bool:
        """Counted at the end of the period (a stock), not over it (a flow): months do not add up."""
        return self.source in SNAPSHOTS


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
        (Breakdown.SUPPORTED, *PERSON_BREAKDOWNS, Breakdown.LEGAL_REGIME),
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
        (Breakdown.SUPPORT_TYPE, Breakdown.BENEFICIARY, Breakdown.LEGAL_REGIME, Breakdown.AGENCY),
        "Law 53/2024 Art 37; Decree 162/2025 Art 17–24; Law 53/2024 Art 63 (the 2011 law's support for "
        "people identified before 1 July 2025)",
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
        "protection_refused",
        N_("Protection refused by the person"),
        Unit.ASSESSMENTS,
        Source.REFUSAL,
        (*PERSON_BREAKDOWNS,),
        "Law 53/2024 Art 40; Decree 162/2025 (the refusal and its written commitment are recorded)",
    ),
    Indicator(
        "referrals",
        N_("Referrals and transfers sent"),
        Unit.REFERRALS,
        Source.REFERRAL,
        (
            Breakdown.ROUTE,
            Breakdown.RECEIVER_KIND,
            Breakdown.REFERRAL_KIND,
            Breakdown.REFERRAL_STATUS,
            Breakdown.AGENCY,
        ),
        "Law 53/2024 Art 28 (handing victims between agencies)",
    ),
    Indicator(
        "referral_answers",
        N_("Referrals answered"),
        Unit.REFERRALS,
        Source.ANSWER,
        (Breakdown.ANSWER_TIME, Breakdown.ROUTE, Breakdown.REFERRAL_STATUS, Breakdown.AGENCY),
        "Law 53/2024 Art 28; DOMAIN.md §6 (answer times). Counted for the agency that answered",
        median=N_("Median time to answer (hours)"),
    ),
    Indicator(
        "referral_answers_on_time",
        N_("Referral answer deadlines falling due"),
        Unit.DEADLINES,
        Source.ANSWER_LIMIT,
        (Breakdown.ON_TIME, Breakdown.ROUTE, Breakdown.AGENCY),
        "Law 53/2024 Art 28; answer within 24 hours (urgent) or 3 working days. Counted for the "
        "agency that must answer",
    ),
    Indicator(
        "follow_ups",
        N_("Follow-up visits due"),
        Unit.VISITS,
        Source.FOLLOW_UP,
        (Breakdown.ON_TIME, Breakdown.AGENCY),
        "Decree 162/2025 (reintegration follow-up)",
    ),
    Indicator(
        "open_at_end",
        N_("Open cases at the period's end"),
        Unit.CASES,
        Source.SPELL,
        (Breakdown.STAGE, *PERSON_BREAKDOWNS),
        "DOMAIN.md §6 (cases by stage); Law 53/2024 Art 27–44 (the stages of a victim's path)",
    ),
    Indicator(
        "overdue_at_end",
        N_("Overdue cases at the period's end"),
        Unit.CASES,
        Source.OVERDUE,
        (Breakdown.STAGE, Breakdown.AGENCY),
        "DOMAIN.md §2, §6 (overdue cases by stage and agency): past the stage's time limit and not suspended",
    ),
    Indicator(
        "verification_on_time",
        N_("Verifications falling due (3 days)"),
        Unit.DEADLINES,
        Source.VERIFICATION_LIMIT,
        (Breakdown.ON_TIME, Breakdown.AGENCY),
        "Law 53/2024 Art 27(2) as amended: initial verification within 3 days of the notice",
    ),
    Indicator(
        "decisions_on_time",
        N_("Support decisions falling due (9 working days)"),
        Unit.DEADLINES,
        Source.DECISION_LIMIT,
        (Breakdown.ON_TIME, Breakdown.SUPPORT_TYPE, Breakdown.AGENCY),
        "Decree 162/2025 Art 24 (form Mẫu 07): a decision on an application within 9 working days",
    ),
    Indicator(
        "essential_needs_on_time",
        N_("Essential-needs support reaching its limit (120 days)"),
        Unit.DEADLINES,
        Source.LODGING_LIMIT,
        (Breakdown.ON_TIME, Breakdown.AGENCY),
        "Decree 162/2025 Art 17: essential needs for at most 120 days unless extended by decision",
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
    "withdrawn": N_("Withdrawn before an answer"),
    "within_24h": N_("Within 24 hours"),
    "1_3_days": N_("1 to 3 days"),
    "3_7_days": N_("3 to 7 days"),
    "over_7_days": N_("More than 7 days"),
    "2011": N_("Law of 2011 (identified before 1 July 2025)"),
    "2024": N_("Law 53/2024"),
}
