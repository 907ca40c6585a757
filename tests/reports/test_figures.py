"""Indicator values on a hand-built data set whose answers are known, period edges in local time."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from tests.helpers import db_session, seed
from victimcare.reports import figures, periods
from victimcare.reports.indicators import BY_CODE, INDICATORS, Breakdown

TODAY = date(2026, 12, 2)


def _at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


PEOPLE = {  # name: (agency, victim facts, case facts)
    "A": (
        "police-demo",
        {"gender": "Feminine", "birth_year": 2010, "is_ethnic_minority": True},
        {
            "received_at": _at(2026, 3, 31, 16, 30),
            "intake_channel": "border_handover",  # 23:30 on 31 March
            "trafficked_abroad": True,
            "destination_country": "CN",
            "exploitation": ["ForcedMarriage"],
        },
    ),
    "B": (
        "police-demo",
        {"gender": "Masculine", "birth_year": 1990, "is_ethnic_minority": False},
        {
            "received_at": _at(2026, 3, 31, 17, 30),
            "intake_channel": "hotline_111",  # 00:30 on 1 April
            "trafficked_abroad": False,
            "exploitation": ["ForcedLabour", "SexualExploitation"],
        },
    ),
    "C": ("police-demo", {}, {"received_at": _at(2026, 3, 15, 2, 0), "exploitation": []}),
    "D": (
        "border-demo",
        {"gender": "Feminine", "birth_year": 2015},
        {
            "received_at": _at(2026, 2, 10, 2, 0),
            "intake_channel": "rescue",
            "trafficked_abroad": True,
            "destination_country": "LA",
            "exploitation": ["ForcedLabour"],
        },
    ),
}
STEPS = [
    ("A", "request_identification", _at(2026, 3, 20, 3, 0)),
    ("A", "confirm_safe", _at(2026, 3, 25, 3, 0)),
    ("D", "request_identification", _at(2026, 2, 11, 3, 0)),
    ("D", "not_confirmed", _at(2026, 2, 28, 18, 0)),
    ("D", "reopen", _at(2026, 4, 2, 3, 0)),
]


@pytest.fixture
def data(app):
    from victimcare.accounts.models import Agency
    from victimcare.cases import operations
    from victimcare.cases.models import StageEvent

    seed(app)
    with db_session(app) as session:
        agencies = {a.code: a for a in session.scalars(sa.select(Agency))}
        cases = {}
        for name, (agency, person, facts) in PEOPLE.items():
            victim = operations.new_victim({"full_name": f"Người {name}", **person})
            session.add(victim)
            case = operations.open_case(victim=victim, agency=agencies[agency], created_by=None)
            for key, value in facts.items():
                setattr(case, key, value)
            cases[name] = case
        session.flush()
        for name, trigger, when in STEPS:
            session.add(
                StageEvent(
                    case=cases[name],
                    trigger=trigger,
                    from_stage="verification",
                    to_stage="closed",
                    created_at=when,
                    agency_id=cases[name].owning_agency_id,
                )
            )
        session.commit()
        ids = {code: a.id for code, a in agencies.items()}
    return ids


def _scope(ids, *codes):
    return figures.Scope(tuple(ids[c] for c in codes), own_agency=False)


def _in(app, fn):
    with app.app_context():
        return fn()


def test_a_case_received_at_2330_on_31_march_in_hanoi_counts_in_march_and_0030_in_april(app, data):
    scope = _scope(data, "police-demo", "border-demo")
    received = BY_CODE["received"]
    march, april = periods.parse("2026-03"), periods.parse("2026-04")
    assert _in(app, lambda: figures.total(received, scope, march, TODAY)) == 2  # A and C
    assert _in(app, lambda: figures.total(received, scope, april, TODAY)) == 1  # B
    assert _in(app, lambda: figures.by_month(received, scope, periods.parse("2026-Q1"), TODAY)) == {
        "2026-01": 0,
        "2026-02": 1,
        "2026-03": 2,
    }


EXPECTED_MARCH_RECEIVED = {
    Breakdown.SEX: {"Feminine": 1, "Masculine": 0, "unknown": 1},
    Breakdown.AGE_BAND: {"under_12": 0, "12_15": 0, "16_17": 1, "18_over": 0, "unknown": 1},
    Breakdown.ETHNICITY: {"kinh": 0, "minority": 1, "unknown": 1},
    Breakdown.ABROAD: {"abroad": 1, "domestic": 0, "unknown": 1},
    Breakdown.DESTINATION: {"CN": 1, "unknown": 1},
    Breakdown.RETURN_ROUTE: {"official_handover": 1, "other": 1},
    Breakdown.CHANNEL: {"border_handover": 1, "unknown": 1},
}


@pytest.mark.parametrize("by", list(EXPECTED_MARCH_RECEIVED))
def test_breakdowns_of_march_have_the_known_counts_with_unknown_and_zero_rows(app, data, by):
    scope = _scope(data, "police-demo", "border-demo")
    found = _in(
        app, lambda: figures.breakdown(BY_CODE["received"], by, scope, periods.parse("2026-03"), TODAY)
    )
    expected = EXPECTED_MARCH_RECEIVED[by]
    assert {k: v for k, v in found.items() if v or k in expected} == expected


def test_several_forms_of_exploitation_count_once_under_several(app, data):
    scope = _scope(data, "police-demo")
    found = _in(
        app,
        lambda: figures.breakdown(
            BY_CODE["received"], Breakdown.EXPLOITATION, scope, periods.parse("2026-04"), TODAY
        ),
    )
    assert found["several"] == 1 and sum(found.values()) == 1


def test_steps_and_scopes(app, data):
    q1 = periods.parse("2026-Q1")
    police, border = _scope(data, "police-demo"), _scope(data, "border-demo")
    assert _in(app, lambda: figures.total(BY_CODE["received"], police, q1, TODAY)) == 2
    assert _in(app, lambda: figures.total(BY_CODE["received"], border, q1, TODAY)) == 1
    assert _in(app, lambda: figures.total(BY_CODE["verified"], police, q1, TODAY)) == 1
    assert _in(app, lambda: figures.total(BY_CODE["identified"], police, q1, TODAY)) == 1
    # 18:00 UTC on 28 February is 01:00 on 1 March in Hà Nội.
    assert (
        _in(app, lambda: figures.total(BY_CODE["not_confirmed"], border, periods.parse("2026-03"), TODAY))
        == 1
    )
    assert (
        _in(
            app,
            lambda: figures.breakdown(
                BY_CODE["closed"], Breakdown.CLOSURE_REASON, border, periods.parse("2026-03"), TODAY
            ),
        )["not_confirmed"]
        == 1
    )
    assert _in(app, lambda: figures.total(BY_CODE["reopened"], border, periods.parse("2026-04"), TODAY)) == 1
    assert _in(
        app,
        lambda: figures.totals(BY_CODE["received"], police, [q1, q1.previous(), q1.year_earlier()], TODAY),
    ) == [2, 0, 0]


def test_the_share_of_identified_victims_who_received_support_is_read_against_its_target(app, data):
    from victimcare.cases.models import Case, Victim
    from victimcare.extensions import db
    from victimcare.reports import dashboard
    from victimcare.support.models import SupportService

    scope = _scope(data, "police-demo")
    identified = BY_CODE["identified"]
    march = periods.parse("2026-03")
    with app.app_context():
        assert figures.breakdown(identified, Breakdown.SUPPORTED, scope, march, TODAY) == {
            "yes": 0,
            "no": 1,
            "unknown": 0,
        }
        case = db.session.scalar(sa.select(Case).join(Victim).where(Victim.birth_year == 2010))  # A
        db.session.add(
            SupportService(
                case=case,
                person_id=case.victim_id,
                beneficiary="victim",
                support_type="essential_needs",
                status="delivered",
                starts_on=date(2026, 3, 26),
            )
        )
        db.session.add(
            SupportService(
                case=case,
                person_id=case.victim_id,
                beneficiary="victim",
                support_type="legal_aid",
                status="planned",
                starts_on=date(2026, 3, 26),
            )
        )
        db.session.commit()
        rows = figures.breakdown(identified, Breakdown.SUPPORTED, scope, march, TODAY)
        assert rows == {"yes": 1, "no": 0, "unknown": 0}
        assert dashboard.target_share(identified, rows, 10, protected=False) == 100.0
        assert dashboard.target_share(identified, rows, 10, protected=True) is None  # 1 of 1: hidden outside


@pytest.mark.parametrize("via", ["direct", "facts"])
def test_every_breakdown_of_every_indicator_adds_up_to_its_total_on_demo_data(app, via):
    from victimcare.accounts.models import Agency
    from victimcare.extensions import db

    seed(app, with_cases=True)
    with app.app_context():
        scope = figures.Scope(tuple(db.session.scalars(sa.select(Agency.id))), own_agency=False)
        today = periods.local_today()
        for year in (periods.containing(periods.PeriodKind.YEAR, today), periods.parse(str(today.year - 1))):
            for indicator in INDICATORS:
                total = figures.total(indicator, scope, year, today, via)
                rows = figures.breakdowns(indicator, indicator.breakdowns, scope, year, today, via)
                for by in indicator.breakdowns:
                    assert sum(rows[by].values()) == total, (indicator.code, by)
                    assert "unknown" in rows[by] or by in figures.NEVER_UNKNOWN
