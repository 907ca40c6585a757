"""Snapshots, time limits, answers and refusals on a hand-built data set whose answers are known.

Every expected count below was worked out by hand from the rows in ``data`` (times are UTC; Hà Nội
is seven hours ahead). Each is checked twice: counted from the base tables and read from the
statistics table.
"""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from tests.helpers import db_session, seed
from victimcare.reports import figures, periods
from victimcare.reports.indicators import BY_CODE, Breakdown

TODAY = date(2026, 12, 2)
VIA = ("direct", "facts")


def _at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


CASES = {  # name: (agency, created at, legal regime)
    "P": ("police-demo", _at(2026, 1, 10, 3), "2011"),
    "Q": ("police-demo", _at(2026, 3, 31, 16, 30), "2024"),  # 23:30 on 31 March in Hà Nội
    "R": ("police-demo", _at(2026, 3, 31, 17, 30), "2024"),  # 00:30 on 1 April
    "S": ("border-demo", _at(2026, 1, 5, 2), "2024"),
    "T": ("police-demo", _at(2026, 2, 1, 2), "2024"),
}
STEPS = [  # (case, trigger, from, to, at)
    ("P", "start_verification", "intake", "verification", _at(2026, 1, 10, 5)),
    ("P", "request_identification", "verification", "identification", _at(2026, 1, 12, 5)),  # 2 days
    ("P", "confirm_safe", "identification", "protection", _at(2026, 2, 20, 3)),  # 15-day limit passed 27 Jan
    ("P", "decline_assistance", "protection", "closed", _at(2026, 6, 1, 3)),  # after the quarter
    ("S", "start_verification", "intake", "verification", _at(2026, 1, 5, 3)),
    ("S", "request_identification", "verification", "identification", _at(2026, 1, 9, 3)),  # 4 days: late
    ("S", "not_confirmed", "identification", "closed", _at(2026, 1, 20, 3)),
    ("S", "reopen", "closed", "reopened", _at(2026, 3, 10, 3)),
    (
        "S",
        "restart_verification",
        "reopened",
        "verification",
        _at(2026, 3, 10, 5),
    ),  # due 13 March, never left
    ("T", "start_verification", "intake", "verification", _at(2026, 2, 1, 3)),
    ("T", "suspend", "verification", "suspended", _at(2026, 2, 2, 3)),  # lost contact: the clock stops
]
SERVICES = [  # (case, type, status, starts, ends, applied, due, decided, extended to)
    (
        "P",
        "schooling",
        "delivered",
        date(2026, 2, 12),
        None,
        date(2026, 2, 2),
        date(2026, 2, 13),
        date(2026, 2, 12),
        None,
    ),
    (
        "P",
        "vocational",
        "delivered",
        date(2026, 3, 10),
        None,
        date(2026, 2, 20),
        date(2026, 3, 5),
        date(2026, 3, 10),
        None,
    ),
    ("P", "hardship", "planned", None, None, date(2026, 3, 6), date(2026, 3, 20), None, None),
    ("P", "hardship", "planned", None, None, date(2026, 12, 1), date(2026, 12, 14), None, None),
    (
        "P",
        "essential_needs",
        "delivered",
        date(2025, 11, 1),
        date(2026, 2, 15),
        None,
        None,
        None,
        None,
    ),  # limit 28 Feb
    ("P", "essential_needs", "in_progress", date(2025, 10, 1), None, None, None, None, date(2026, 3, 15)),
    (
        "S",
        "essential_needs",
        "delivered",
        date(2025, 12, 1),
        date(2026, 4, 10),
        None,
        None,
        None,
        None,
    ),  # limit 30 Mar
    (
        "S",
        "essential_needs",
        "planned",
        date(2025, 12, 1),
        None,
        None,
        None,
        None,
        None,
    ),  # not started: not counted
]
REFERRALS = [  # (case, from, to, kind, status, sent, due, answered)
    (
        "P",
        "police-demo",
        "social-demo",
        "referral",
        "accepted",
        _at(2026, 3, 2, 3),
        _at(2026, 3, 5, 3),
        _at(2026, 3, 2, 9),
    ),
    (
        "S",
        "border-demo",
        "social-demo",
        "referral",
        "declined",
        _at(2026, 3, 3, 3),
        _at(2026, 3, 6, 3),
        _at(2026, 3, 8, 3),
    ),
    (
        "P",
        "police-demo",
        "health-demo",
        "referral",
        "expired",
        _at(2026, 3, 10, 3),
        _at(2026, 3, 13, 3),
        None,
    ),
    (
        "P",
        "police-demo",
        "social-demo",
        "referral",
        "withdrawn",
        _at(2026, 3, 20, 3),
        _at(2026, 3, 23, 3),
        None,
    ),
    (
        "T",
        "police-demo",
        "social-demo",
        "transfer",
        "accepted",
        _at(2026, 3, 25, 3),
        _at(2026, 3, 28, 3),
        _at(2026, 3, 26, 3),
    ),
]
ASSESSMENTS = [("P", date(2026, 2, 21), True), ("S", date(2026, 3, 11), False)]


@pytest.fixture
def data(app):
    from victimcare.accounts.models import Agency
    from victimcare.cases import operations
    from victimcare.cases.models import StageEvent
    from victimcare.referrals.models import Referral
    from victimcare.support.models import LodgingExtension, RiskAssessment, SupportService

    seed(app)
    with db_session(app) as session:
        agencies = {a.code: a for a in session.scalars(sa.select(Agency))}
        cases = {}
        for name, (agency, created, regime) in CASES.items():
            victim = operations.new_victim(
                {"full_name": f"Người {name}", "gender": "Feminine", "birth_year": 2000}
            )
            session.add(victim)
            case = operations.open_case(victim=victim, agency=agencies[agency], created_by=None)
            case.created_at, case.stage_started_at, case.legal_regime = created, created, regime
            cases[name] = case
        cases["P"].stage = "closed"  # its stage today; figures read the stage events, not this
        for name, trigger, source, target, when in STEPS:
            case = cases[name]
            session.add(
                StageEvent(case=case, trigger=trigger, from_stage=source, to_stage=target, created_at=when)
            )
        for name, kind, status, starts, ends, applied, due, decided, extended in SERVICES:
            case = cases[name]
            service = SupportService(
                case=case,
                person_id=case.victim.id,
                beneficiary="victim",
                support_type=kind,
                status=status,
                starts_on=starts,
                ends_on=ends,
                applied_on=applied,
                decision_due_on=due,
                decided_on=decided,
            )
            session.add(service)
            if extended:
                session.add(
                    LodgingExtension(service=service, decided_on=date(2026, 1, 20), new_end_on=extended)
                )
        for name, sender, receiver, kind, status, sent, due, answered in REFERRALS:
            session.add(
                Referral(
                    case=cases[name],
                    kind=kind,
                    purpose="medical_care",
                    urgency="normal",
                    from_agency_id=agencies[sender].id,
                    to_agency_id=agencies[receiver].id,
                    shared_groups=["identity"],
                    legal_basis="criminal_investigation",
                    status=status,
                    sent_at=sent,
                    answer_due_at=due,
                    answered_at=answered,
                )
            )
        for name, day, refused in ASSESSMENTS:
            session.add(
                RiskAssessment(
                    case=cases[name],
                    assessed_on=day,
                    level="high",
                    at_risk=["person"],
                    person_refused=refused,
                )
            )
        session.commit()
        return {code: a.id for code, a in agencies.items()}


def _scope(ids, *codes):
    return figures.Scope(tuple(ids[c] for c in codes), own_agency=False)


def _check(app, via, fn):
    from victimcare.reports import statistics

    with app.app_context():
        assert statistics.ready()  # the table is current: "facts" reads it, "direct" never does
        return fn()


@pytest.mark.parametrize("via", VIA)
def test_open_cases_at_a_periods_end_are_read_from_the_stage_events_in_local_time(app, data, via):
    both = _scope(data, "police-demo", "border-demo")
    indicator = BY_CODE["open_at_end"]
    march, q1 = periods.parse("2026-03"), periods.parse("2026-Q1")
    stages = _check(app, via, lambda: figures.breakdown(indicator, Breakdown.STAGE, both, march, TODAY, via))
    # P is in protection (closed only in June), Q came at 23:30 on 31 March, S re-verifies, T is suspended;
    # R came at 00:30 on 1 April.
    assert stages == {
        "intake": 1,
        "verification": 1,
        "identification": 0,
        "rescue": 0,
        "protection": 1,
        "initial_support": 0,
        "reintegration": 0,
        "reopened": 0,
        "suspended": 1,
    }
    assert _check(app, via, lambda: figures.by_month(indicator, both, q1, TODAY, via)) == {
        "2026-01": 1,  # P (S was closed on 20 January, T not yet opened)
        "2026-02": 2,  # P, T
        "2026-03": 4,
    }
    assert _check(
        app, via, lambda: figures.totals(indicator, both, [march, periods.parse("2026-04")], TODAY, via)
    ) == [
        4,
        5,  # R opened; P still in protection
    ]
    assert (
        _check(app, via, lambda: figures.total(indicator, both, periods.parse("2026-06"), TODAY, via)) == 4
    )  # P closed


@pytest.mark.parametrize("via", VIA)
def test_overdue_cases_by_stage_and_agency_at_the_periods_end(app, data, via):
    both = _scope(data, "police-demo", "border-demo")
    indicator = BY_CODE["overdue_at_end"]
    march = periods.parse("2026-03")
    found = _check(
        app, via, lambda: figures.breakdowns(indicator, indicator.breakdowns, both, march, TODAY, via)
    )
    assert {k: v for k, v in found[Breakdown.STAGE].items() if v} == {"verification": 1, "protection": 1}
    assert {k: v for k, v in found[Breakdown.AGENCY].items() if v} == {"police-demo": 1, "border-demo": 1}
    assert _check(
        app, via, lambda: figures.by_month(indicator, both, periods.parse("2026-Q1"), TODAY, via)
    ) == {
        "2026-01": 1,  # P, past its 15 days of identification
        "2026-02": 1,  # P, past its 2 days of protection (T is suspended: never overdue)
        "2026-03": 2,  # P and S; Q's 24 hours end on 1 April
    }
    assert _check(app, via, lambda: figures.total(indicator, both, periods.parse("2026-04"), TODAY, via)) == 4


ON_TIME_Q1 = {
    "verification_on_time": (
        {"on_time": 2, "late": 1, "missed": 1, "not_yet_due": 0},
        ("police-demo", "border-demo"),
    ),
    "decisions_on_time": ({"on_time": 1, "late": 1, "missed": 1, "not_yet_due": 0}, ("police-demo",)),
    "essential_needs_on_time": (
        {"on_time": 1, "late": 1, "missed": 1, "not_yet_due": 0},
        ("police-demo", "border-demo"),
    ),
    "referral_answers_on_time": (
        {"on_time": 2, "late": 1, "missed": 0, "not_yet_due": 0, "withdrawn": 1},
        ("social-demo",),  # counted for the agency that must answer
    ),
}


@pytest.mark.parametrize("via", VIA)
@pytest.mark.parametrize("code", list(ON_TIME_Q1))
def test_each_legal_time_limit_is_met_late_missed_or_not_yet_due(app, data, via, code):
    expected, agencies = ON_TIME_Q1[code]
    scope = _scope(data, *agencies)
    q1 = periods.parse("2026-Q1")
    assert (
        _check(app, via, lambda: figures.breakdown(BY_CODE[code], Breakdown.ON_TIME, scope, q1, TODAY, via))
        == expected
    )


@pytest.mark.parametrize("via", VIA)
def test_a_limit_still_running_on_the_report_day_is_not_yet_due(app, data, via):
    year = periods.parse("2026")
    scope = _scope(data, "police-demo")
    found = _check(
        app,
        via,
        lambda: figures.breakdown(BY_CODE["decisions_on_time"], Breakdown.ON_TIME, scope, year, TODAY, via),
    )
    assert found == {"on_time": 1, "late": 1, "missed": 1, "not_yet_due": 1}
    a_month_later = _check(
        app,
        via,
        lambda: figures.breakdown(
            BY_CODE["decisions_on_time"], Breakdown.ON_TIME, scope, year, date(2026, 12, 31), via
        ),
    )
    assert a_month_later["missed"] == 2 and a_month_later["not_yet_due"] == 0


@pytest.mark.parametrize("via", VIA)
def test_referral_answers_their_times_and_the_median(app, data, via):
    social = _scope(data, "social-demo")
    q1 = periods.parse("2026-Q1")
    answers = BY_CODE["referral_answers"]
    found = _check(app, via, lambda: figures.breakdowns(answers, answers.breakdowns, social, q1, TODAY, via))
    assert found[Breakdown.ANSWER_TIME] == {"within_24h": 2, "1_3_days": 0, "3_7_days": 1, "over_7_days": 0}
    assert found[Breakdown.ROUTE] == {
        "border_guard>social_affairs": 1,
        "police>social_affairs": 2,
        "unknown": 0,
    }
    assert (
        _check(app, via, lambda: figures.median(answers, social, q1, TODAY, via)) == 24.0
    )  # 6 h, 24 h, 120 h
    assert (
        _check(app, via, lambda: figures.median(answers, _scope(data, "health-demo"), q1, TODAY, via)) is None
    )


@pytest.mark.parametrize("via", VIA)
def test_referrals_and_transfers_by_sending_and_receiving_agency_kind(app, data, via):
    police = _scope(data, "police-demo")
    referrals = BY_CODE["referrals"]
    found = _check(
        app,
        via,
        lambda: figures.breakdowns(
            referrals, referrals.breakdowns, police, periods.parse("2026-03"), TODAY, via
        ),
    )
    assert found[Breakdown.ROUTE] == {"police>health": 1, "police>social_affairs": 3, "unknown": 0}
    assert found[Breakdown.REFERRAL_KIND] == {"referral": 3, "transfer": 1}
    statuses = found[Breakdown.REFERRAL_STATUS]
    assert (statuses["accepted"], statuses["declined"], statuses["expired"], statuses["withdrawn"]) == (
        2,
        0,
        1,
        1,
    )


@pytest.mark.parametrize("via", VIA)
def test_protection_refused_and_the_2011_regime(app, data, via):
    both = _scope(data, "police-demo", "border-demo")
    q1 = periods.parse("2026-Q1")
    refused = _check(
        app,
        via,
        lambda: figures.breakdown(BY_CODE["protection_refused"], Breakdown.SEX, both, q1, TODAY, via),
    )
    assert refused["Feminine"] == 1 and sum(refused.values()) == 1  # S's assessment was not a refusal
    regimes = _check(
        app,
        via,
        lambda: figures.breakdown(BY_CODE["identified"], Breakdown.LEGAL_REGIME, both, q1, TODAY, via),
    )
    assert regimes == {"2011": 1, "2024": 0}  # P, identified under the old law's support regime
    reopened = _check(
        app, via, lambda: figures.total(BY_CODE["reopened"], both, periods.parse("2026-03"), TODAY, via)
    )
    closed = _check(
        app, via, lambda: figures.breakdown(BY_CODE["closed"], Breakdown.CLOSURE_REASON, both, q1, TODAY, via)
    )
    assert reopened == 1 and closed["not_confirmed"] == 1 and sum(closed.values()) == 1
