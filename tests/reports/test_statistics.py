"""The statistics table gives exactly the figures counted from the records, and stays so as they change."""

import uuid
from datetime import date, timedelta

import sqlalchemy as sa

from tests.helpers import add_case, add_referral, add_support_records, db_session, fire_step, log_in, seed
from victimcare.reports import figures, periods, statistics
from victimcare.reports.indicators import INDICATORS


def _periods(today: date) -> list[periods.Period]:
    year = periods.containing(periods.PeriodKind.YEAR, today)
    quarter = periods.containing(periods.PeriodKind.QUARTER, today)
    custom = periods.parse(
        f"{(today - timedelta(days=400)).isoformat()}..{(today - timedelta(days=20)).isoformat()}"
    )
    return [year, year.previous(), quarter, periods.containing(periods.PeriodKind.MONTH, today), custom]


def _everything(via: str, scope: figures.Scope, today: date) -> dict:
    """Every figure the dashboard and the report can show, for every indicator and period."""
    found = {}
    for period in _periods(today):
        for indicator in INDICATORS:
            key = (indicator.code, period.code)
            found[key] = (
                figures.totals(
                    indicator, scope, [period, period.previous(), period.year_earlier()], today, via
                ),
                figures.by_month(indicator, scope, period, today, via),
                figures.breakdowns(indicator, indicator.breakdowns, scope, period, today, via),
                figures.median(indicator, scope, period, today, via),
            )
    return found


def _same_figures(app) -> int:
    """Assert the table's figures equal the records' figures; returns how many units were compared."""
    from victimcare.accounts.models import Agency
    from victimcare.extensions import db

    with app.app_context():
        assert statistics.ready()
        scope = figures.Scope(tuple(db.session.scalars(sa.select(Agency.id))), own_agency=True)
        today = periods.local_today()
        direct, facts = _everything("direct", scope, today), _everything("facts", scope, today)
        for key, value in direct.items():
            assert facts[key] == value, key
        return sum(totals[0] for totals, *_rest in direct.values())


def _table(app) -> list[tuple]:
    from victimcare.extensions import db
    from victimcare.reports.models import ReportFact

    with app.app_context():
        columns = [c for c in ReportFact.__table__.c if c.name != "id"]
        rows = db.session.execute(sa.select(*columns)).all()
        return sorted(tuple(str(v) for v in row) for row in rows)


def _rebuilt(app) -> list[tuple]:
    from victimcare.extensions import db

    with app.app_context():
        statistics.rebuild()
        db.session.commit()
    return _table(app)


def test_the_statistics_table_gives_the_figures_counted_from_the_records_on_demo_data(app):
    seed(app, with_cases=True)
    assert _same_figures(app) > 100  # two years of demo history: real numbers, not zeros compared
    assert _table(app) == _rebuilt(app)  # kept row by row as the demo was written = built from scratch


def test_every_change_through_the_app_keeps_the_table_exact(app):
    """Steps, a person's facts, support, referrals, a transfer, an import and an erasure: after each
    commit the table is what a rebuild from scratch would write."""
    from victimcare.accounts.models import User
    from victimcare.cases.models import Case, Victim
    from victimcare.referrals import operations as referrals
    from victimcare.referrals.models import Referral

    seed(app)
    for agency in ("police-demo", "social-demo", "border-demo"):
        add_case(app, agency)
    kept = _table(app)
    assert kept == _rebuilt(app)
    police = app.test_client()
    log_in(police, "police1", "victimcare-demo")
    reference = add_case(app, "police-demo", gender="Feminine")
    for trigger, facts in (
        (
            "start_verification",
            {
                "channel": "hotline_111",
                "received_at": "20/11/2026 08:30",
                "notified_social_affairs_at": "20/11/2026 09:00",
            },
        ),
        ("request_identification", {"evidence": ["b", "e"], "evidence_note": "BB 12/2026"}),
    ):
        assert fire_step(police, reference, trigger, facts).status_code == 302
    with db_session(app) as session:  # a person's coded facts corrected
        case = session.scalar(sa.select(Case).where(Case.reference == reference))
        victim = session.get(Victim, case.victim_id)
        victim.gender, victim.birth_year, victim.is_ethnic_minority = "Masculine", 2011, True
        case.trafficked_abroad, case.destination_country = True, "CN"
        session.commit()
    add_support_records(app, reference)
    transfer = add_referral(
        app, reference, to="social-demo", purpose="shelter_essential_needs", kind="transfer"
    )
    with db_session(app) as session:  # social affairs accepts: the case changes hands
        social = session.scalar(sa.select(User).where(User.username == "social1"))
        referrals.answer(session.get(Referral, uuid.UUID(transfer)), "accept", social)
        session.commit()
    import_file = app.instance_path + "/people.csv"
    from victimcare.cases.importing import COLUMNS

    with open(import_file, "w", encoding="utf-8") as out:
        out.write(",".join(COLUMNS) + "\n" + "Đặng Văn Hải,,M,,1995,VN,không,,,,,15,\n")
    result = app.test_cli_runner().invoke(args=["cases", "import", import_file, "--agency", "border-demo"])
    assert result.exit_code == 0, result.output
    with db_session(app) as session:  # rows deleted through the ORM leave the table too
        case = session.scalar(sa.select(Case).where(Case.reference == reference))
        for event in case.events[:1]:
            session.delete(event)
        session.commit()
    changed = _table(app)
    assert changed != kept
    assert changed == _rebuilt(app)
    _same_figures(app)


def test_a_bulk_update_outside_the_orm_makes_figures_count_the_records_until_rebuilt(app):
    from victimcare.cases.models import Case
    from victimcare.extensions import db

    seed(app)
    add_case(app, "police-demo")
    with app.app_context():
        db.session.execute(sa.update(Case).values(trafficked_abroad=False))
        db.session.commit()
        assert not statistics.ready()
        assert not figures.via_facts()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["reports", "status"]).exit_code == 1
    result = runner.invoke(args=["reports", "rebuild"])
    assert result.exit_code == 0 and "current" in result.output
    assert runner.invoke(args=["reports", "status"]).exit_code == 0
    _same_figures(app)


def test_a_rolled_back_change_leaves_the_table_as_it_was(app):
    from victimcare.cases.models import Victim
    from victimcare.extensions import db

    seed(app)
    add_case(app, "police-demo")
    before = _table(app)
    assert before
    with app.app_context():
        for victim in db.session.scalars(sa.select(Victim)):
            victim.gender = "Masculine"
        db.session.flush()
        db.session.rollback()
        db.session.commit()
    assert _table(app) == before


def test_other_time_limits_make_the_table_stale_until_rebuilt(app_factory):
    app = app_factory()
    seed(app)
    add_case(app, "police-demo")
    longer = app_factory(STAGE_TIME_LIMITS={"verification": 24 * 5})
    with longer.app_context():
        assert not statistics.ready()  # built with 3 days: never read with 5
    assert longer.test_cli_runner().invoke(args=["reports", "rebuild"]).exit_code == 0
    with longer.app_context():
        assert statistics.ready()
    _same_figures(longer)


def test_upgrading_a_database_that_holds_cases_leaves_the_table_to_be_rebuilt(app):
    import flask_migrate

    from victimcare.extensions import db

    seed(app)
    add_case(app, "police-demo")
    with app.app_context():
        flask_migrate.downgrade(revision="7c1e2a9d4b10")
        flask_migrate.upgrade()
        db.session.remove()
        assert not statistics.ready()
        year = periods.containing(periods.PeriodKind.YEAR, periods.local_today())
        from victimcare.accounts.models import Agency
        from victimcare.reports.indicators import BY_CODE

        scope = figures.Scope(tuple(db.session.scalars(sa.select(Agency.id))), own_agency=True)
        assert figures.total(BY_CODE["received"], scope, year, periods.local_today()) == 1  # counted directly
    assert app.test_cli_runner().invoke(args=["reports", "rebuild"]).exit_code == 0
    _same_figures(app)
