"""Statistics at scale: the dashboard and the periodic report over 1,000,000 cases.

Fills BENCH_CASES cases (default 1,000,000) spread over 10 provinces, 4 agencies each, and five
years, each walked along the victim's path as far as its dates allow (stage events with their real
stages, closures, declines, suspensions, reopenings), with support services (essential needs with
their 120-day limit, applications decided within 9 working days or not), risk assessments (some
refused), protection measures, referrals and transfers (answered in time, late or never) and
follow-up visits. Rows are written with DBAPI executemany on SQLite and COPY on PostgreSQL; no
personal data (figures never read it).

The filled database is kept and reused: SQLite at BENCH_SQLITE (default
/tmp/victimcare-bench-reports-<cases>.db, its keyring beside it), PostgreSQL as the database
victimcare_bench_reports_<cases> (BENCH_BACKEND=postgresql). A reused database is upgraded to the
head revision, and its statistics table rebuilt when it is missing or stale (timed).

Then times, for one province-year as its supervisor sees it (small cells protected), each
BENCH_REPEAT times (default 5), the dashboard (target < 1 s), the full periodic report as XLSX
(< 5 s) and as PDF (< 10 s), and prints every run, not only the best: the machine is shared.
Also prints the settings it ran with and the query plans the figures rely on.
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._setup import settings_line  # noqa: E402

CASES = int(os.environ.get("BENCH_CASES", 1_000_000))
BACKEND = os.environ.get("BENCH_BACKEND", "sqlite")
REPEAT = int(os.environ.get("BENCH_REPEAT", 5))
SQLITE_PATH = Path(os.environ.get("BENCH_SQLITE", f"/tmp/victimcare-bench-reports-{CASES}.db"))
PG_NAME = f"victimcare_bench_reports_{CASES}"
FILLED_MARK = Path(f"/tmp/victimcare-bench-reports-{CASES}-{BACKEND}.filled")
PG_ADMIN = os.environ.get("VICTIMCARE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PROVINCES = [f"{n:02d}" for n in (1, 2, 4, 6, 8, 11, 12, 14, 15, 19)]
KINDS = ["police", "border_guard", "social_affairs", "health"]
CHANNELS = [
    "hotline_111",
    "crime_report",
    "border_handover",
    "rescue",
    "repatriation",
    "self_presented",
    None,
]
FORMS = ["SexualExploitation", "ForcedLabour", "ForcedMarriage", "Surrogacy"]
GENDERS = ["Feminine", "Feminine", "Feminine", "Masculine", "NonSpecifiedUnknown"]
MEASURES = ["safe_shelter", "identity_secrecy", "address_secrecy", "protective_force"]
FIRST = datetime(2022, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 12, 1, tzinfo=UTC)
TODAY = date(2026, 12, 2)
BATCH = 20_000
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


# -- filling ------------------------------------------------------------------------------------


class Walk:
    """One case walked along the path: the stage events it took before NOW, and where it ended."""

    def __init__(self, rng: random.Random, case_id, agency_id, received: datetime):
        self.rng, self.case_id, self.agency_id = rng, case_id, agency_id
        self.stage, self.when, self.events = "intake", received, []
        self.closure, self.closed_at = None, None

    def step(self, trigger: str, to_stage: str, after: timedelta) -> bool:
        """Take a step ``after`` the previous one, unless that would be after NOW."""
        when = self.when + after
        if when >= NOW:
            return False
        self.events.append(
            {
                "id": uuid.uuid4(),
                "case_id": self.case_id,
                "trigger": trigger,
                "from_stage": self.stage,
                "to_stage": to_stage,
                "agency_id": self.agency_id,
                "created_at": when,
                "facts": {},
            }
        )
        self.stage, self.when = to_stage, when
        if to_stage == "closed":
            self.closed_at = when
            self.closure = {
                "close_case": "reintegrated",
                "not_confirmed": "not_confirmed",
                "decline_assistance": "declined",
            }[trigger]
        return True

    def side_exit(self) -> bool:
        """Now and then a person declines help or contact is lost (and sometimes found again)."""
        roll = self.rng.random()
        if roll < 0.03:
            return self.step("decline_assistance", "closed", self.rng.randint(1, 200) * HOUR)
        if roll < 0.05:
            left = self.stage
            if not self.step("suspend", "suspended", self.rng.randint(1, 200) * HOUR):
                return True
            if self.rng.random() < 0.5:
                self.step("resume", left, self.rng.randint(5, 60) * DAY)
            return self.stage == "suspended"
        return False


def walk(rng: random.Random, case_id, agency_id, received: datetime) -> Walk:
    path = Walk(rng, case_id, agency_id, received)
    ordinary = [
        ("start_verification", "verification", lambda: rng.randint(1, 30) * HOUR),  # 24 h limit
        ("request_identification", "identification", lambda: rng.randint(12, 110) * HOUR),  # 3 days
    ]
    for trigger, stage, after in ordinary:
        if not path.step(trigger, stage, after()) or path.side_exit():
            return path
    if rng.random() < 0.15:
        path.step("not_confirmed", "closed", rng.randint(2, 25) * DAY)
        return path
    if rng.random() < 0.3:
        if not path.step("confirm_for_rescue", "rescue", rng.randint(2, 20) * DAY):
            return path
        if not path.step("complete_rescue", "protection", rng.randint(1, 30) * DAY):
            return path
    elif not path.step("confirm_safe", "protection", rng.randint(2, 20) * DAY):
        return path
    later = [
        ("start_support", "initial_support", lambda: rng.randint(10, 100) * HOUR),  # 2 days
        ("start_reintegration", "reintegration", lambda: rng.randint(30, 150) * DAY),  # 120 days
        ("close_case", "closed", lambda: rng.randint(200, 420) * DAY),
    ]
    for trigger, stage, after in later:
        if path.side_exit() or not path.step(trigger, stage, after()):
            return path
    if rng.random() < 0.04 and path.step("reopen", "reopened", rng.randint(30, 400) * DAY):  # re-trafficked
        path.step("restart_verification", "verification", rng.randint(1, 30) * HOUR)
    return path


def _day(moment: datetime) -> date:
    return (moment + timedelta(hours=7)).date()


def records(rng: random.Random, path: Walk, victim_id, agencies, rows: dict) -> None:
    """Support, protection, referrals and follow-ups as the case's stages allow."""
    reached = {e["to_stage"]: e["created_at"] for e in path.events}
    protection(rng, path, reached, rows)
    support(rng, path, reached, victim_id, rows)
    reintegration(rng, path, reached, victim_id, rows)
    referral(rng, path, agencies, rows)


def protection(rng: random.Random, path: Walk, reached: dict, rows: dict) -> None:
    case_id, agency_id = path.case_id, path.agency_id
    if "protection" in reached:
        assessed = reached["protection"] + rng.randint(1, 60) * HOUR
        if assessed < NOW:
            refused = rng.random() < 0.08
            rows["risk_assessments"].append(
                {
                    "id": uuid.uuid4(),
                    "case_id": case_id,
                    "assessed_on": _day(assessed),
                    "level": rng.choice(["low", "medium", "high"]),
                    "at_risk": ["person"],
                    "person_refused": refused,
                    "closed_trial_requested": False,
                    "agency_id": agency_id,
                    "recorded_at": assessed,
                }
            )
            for measure in [] if refused else rng.sample(MEASURES, rng.randint(1, 2)):
                rows["protection_measures"].append(
                    {
                        "id": uuid.uuid4(),
                        "case_id": case_id,
                        "measure": measure,
                        "for_relative": False,
                        "deciding_agency_id": agency_id,
                        "starts_on": _day(assessed),
                        "recorded_at": assessed,
                        "version": 1,
                    }
                )


def support(rng: random.Random, path: Walk, reached: dict, victim_id, rows: dict) -> None:
    case_id, agency_id = path.case_id, path.agency_id
    if "initial_support" in reached:
        begun = reached["initial_support"]
        ended = reached.get("reintegration")
        if ended is None and rng.random() < 0.1:
            ended = begun + rng.randint(100, 160) * DAY  # some overstay the 120 days
        ends_on = _day(ended) if ended and ended < NOW else None
        for support_type in ("essential_needs", rng.choice(["medical", "legal_aid", "psychological"])):
            rows["support_services"].append(
                {
                    "id": uuid.uuid4(),
                    "case_id": case_id,
                    "person_id": victim_id,
                    "beneficiary": "victim",
                    "support_type": support_type,
                    "status": "delivered" if ends_on else "in_progress",
                    "provider_agency_id": agency_id,
                    "starts_on": _day(begun),
                    "ends_on": ends_on if support_type == "essential_needs" else None,
                    "recorded_at": begun,
                    "version": 1,
                }
            )


def reintegration(rng: random.Random, path: Walk, reached: dict, victim_id, rows: dict) -> None:
    case_id, agency_id = path.case_id, path.agency_id
    if "reintegration" in reached:
        begun = reached["reintegration"]
        applied = begun + rng.randint(1, 30) * DAY
        if applied < NOW:
            due = _day(applied) + timedelta(days=13)  # 9 working days, about
            decided = _day(applied) + timedelta(days=rng.randint(3, 20))
            rows["support_services"].append(
                {
                    "id": uuid.uuid4(),
                    "case_id": case_id,
                    "person_id": victim_id,
                    "beneficiary": "victim",
                    "support_type": rng.choice(["schooling", "vocational", "hardship"]),
                    "status": "delivered" if decided < TODAY else "planned",
                    "provider_agency_id": agency_id,
                    "starts_on": decided if decided < TODAY else None,
                    "applied_on": _day(applied),
                    "decision_due_on": due,
                    "decided_on": decided if decided < TODAY and rng.random() < 0.95 else None,
                    "recorded_at": applied,
                    "version": 1,
                }
            )
        for months in (1, 3, 6, 12):
            due_on = _day(begun) + timedelta(days=30 * months)
            if due_on >= TODAY + timedelta(days=60):
                break
            done = due_on + timedelta(days=rng.randint(-10, 20))
            rows["follow_ups"].append(
                {
                    "id": uuid.uuid4(),
                    "case_id": case_id,
                    "due_on": due_on,
                    "done_on": done if done < TODAY and rng.random() < 0.9 else None,
                    "version": 1,
                }
            )


def referral(rng: random.Random, path: Walk, agencies: list, rows: dict) -> None:
    case_id, agency_id = path.case_id, path.agency_id
    if rng.random() < 0.15 and path.events:
        sent = path.events[0]["created_at"] + rng.randint(1, 72) * HOUR
        if sent < NOW:
            target, _province = rng.choice(agencies)
            status = rng.choice(
                ["pending", "accepted", "accepted", "completed", "declined", "expired", "withdrawn"]
            )
            answered = (
                sent + rng.randint(1, 120) * HOUR if status in ("accepted", "completed", "declined") else None
            )
            due = sent + 3 * DAY
            if status == "pending" and due < NOW:
                status = "expired"
            rows["referrals"].append(
                {
                    "id": uuid.uuid4(),
                    "case_id": case_id,
                    "kind": "transfer" if rng.random() < 0.2 else "referral",
                    "purpose": "medical_care",
                    "urgency": "normal",
                    "from_agency_id": agency_id,
                    "to_agency_id": target,
                    "shared_groups": ["identity"],
                    "legal_basis": "consent",
                    "status": status,
                    "sent_at": sent,
                    "answer_due_at": due,
                    "answered_at": answered if answered and answered < NOW else None,
                    "version": 1,
                }
            )


STAGE_LIMITS = {
    "intake": timedelta(hours=24),
    "verification": timedelta(days=3),
    "identification": timedelta(days=15),
    "protection": timedelta(days=2),
    "initial_support": timedelta(days=120),
    "reintegration": timedelta(days=365),
    "reopened": timedelta(hours=24),
}


def bulk_insert(connection, table, rows: list[dict]) -> None:
    """Insert many rows of one table: executemany on SQLite, COPY on PostgreSQL.

    Values go through each column's own bind processing (UUIDs, UTC datetimes, JSON, enums), so
    the rows read back exactly as if SQLAlchemy had written them.
    """
    if not rows:
        return
    dialect = connection.dialect
    names = list(dict.fromkeys(name for row in rows[:200] for name in row))
    columns = [table.c[name] for name in names]
    processors = [c.type._cached_bind_processor(dialect) for c in columns]
    values = [
        tuple(p(row.get(n)) if p else row.get(n) for n, p in zip(names, processors, strict=True))
        for row in rows
    ]
    if not connection.in_transaction():
        connection.begin()  # the app's begin hook issues BEGIN on SQLite; without it each row commits
    raw = connection.connection.driver_connection
    if dialect.name == "postgresql":
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy,
        ):
            for value in values:
                copy.write_row(value)
        return
    marks = ", ".join("?" * len(names))
    raw.executemany(f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})", values)


def fill(app) -> dict:
    import sqlalchemy as sa

    from victimcare.accounts.models import Agency
    from victimcare.extensions import db

    rng = random.Random(15)
    span = int((NOW - FIRST).total_seconds() // 60)
    tables = (
        "victims",
        "cases",
        "stage_events",
        "support_services",
        "risk_assessments",
        "protection_measures",
        "referrals",
        "follow_ups",
    )
    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":  # filling only: a big page cache, no fsync per batch
            raw = (
                connection.connection.driver_connection
            )  # outside a transaction, as PRAGMA synchronous needs
            raw.execute("PRAGMA cache_size=-2000000")
            raw.execute("PRAGMA synchronous=OFF")
        agencies = []
        for province in PROVINCES:
            for kind in KINDS:
                agency_id = uuid.uuid4()
                code = f"{kind}-{province}"
                connection.execute(
                    sa.insert(Agency),
                    [{"id": agency_id, "code": code, "name": code, "kind": kind, "province_code": province}],
                )
                agencies.append((agency_id, province))
        connection.commit()
        metadata = {name: db.metadata.tables[name] for name in tables}
        counts = dict.fromkeys(tables, 0)
        for first in range(0, CASES, BATCH):
            rows = {name: [] for name in tables}
            for n in range(first, min(first + BATCH, CASES)):
                agency_id, _province = rng.choice(agencies)
                received = FIRST + timedelta(minutes=rng.randint(0, span))
                victim_id, case_id = uuid.uuid4(), uuid.uuid4()
                rows["victims"].append(
                    {
                        "id": victim_id,
                        "gender": rng.choice(GENDERS),
                        "birth_year": rng.choice([None, *range(1975, 2015)]),
                        "nationality": "VN",
                        "is_ethnic_minority": rng.choice([True, False, None]),
                        "minor_at_intake": False,
                        "province_code": rng.choice(PROVINCES),
                        "created_at": received,
                        "version": 1,
                    }
                )
                path = walk(rng, case_id, agency_id, received)
                abroad = rng.choice([True, False, None])
                limit = STAGE_LIMITS.get(path.stage)
                rows["cases"].append(
                    {
                        "id": case_id,
                        "reference": f"VC-B-{n:07d}",
                        "victim_id": victim_id,
                        "owning_agency_id": agency_id,
                        "stage": path.stage,
                        "stage_started_at": path.when,
                        "stage_deadline": path.when + limit if limit else None,
                        "closure_reason": path.closure,
                        "closed_at": path.closed_at,
                        "legal_regime": "2011"
                        if received < datetime(2025, 7, 1, tzinfo=UTC) and rng.random() < 0.5
                        else "2024",
                        "intake_channel": rng.choice(CHANNELS),
                        "received_at": received,
                        "created_at": received,
                        "exploitation": rng.sample(FORMS, rng.choice([0, 1, 1, 1, 2])),
                        "trafficked_abroad": abroad,
                        "destination_country": rng.choice(["CN", "LA", "KH", "MY"]) if abroad else None,
                        "person_abroad": False,
                        "facts": {},
                        "version": 1,
                    }
                )
                rows["stage_events"].extend(path.events)
                records(rng, path, victim_id, agencies, rows)
            for name in tables:
                bulk_insert(connection, metadata[name], rows[name])
                counts[name] += len(rows[name])
            connection.commit()
            print(f"  {min(first + BATCH, CASES):,} cases", file=sys.stderr, flush=True)
        return counts


# -- the database, kept between runs -------------------------------------------------------------


def database_url() -> tuple[str, bool]:
    """The benchmark database's URL and whether it already holds the filled cases."""
    import sqlalchemy as sa

    if BACKEND != "postgresql":
        if SQLITE_PATH.exists() and not FILLED_MARK.exists():  # an interrupted fill: start again
            for path in SQLITE_PATH.parent.glob(SQLITE_PATH.name + "*"):
                path.unlink()
        return f"sqlite:///{SQLITE_PATH}", FILLED_MARK.exists()
    engine = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    url = sa.engine.make_url(PG_ADMIN).set(database=PG_NAME).render_as_string(hide_password=False)
    with engine.connect() as c:
        if c.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %s", (PG_NAME,)).scalar():
            if FILLED_MARK.exists():
                return url, True
            c.exec_driver_sql(f'DROP DATABASE "{PG_NAME}" WITH (FORCE)')
        c.exec_driver_sql(f'CREATE DATABASE "{PG_NAME}"')
    return url, False


def open_app(url: str, filled: bool):
    import flask_migrate

    from victimcare import create_app

    instance = Path(f"/tmp/victimcare-bench-reports-{CASES}-{BACKEND}-instance")
    if not filled and instance.exists():  # a new database: its keyring and checkpoints start afresh
        shutil.rmtree(instance)
    instance.mkdir(mode=0o700, exist_ok=True)
    environ = {"VICTIMCARE_ENV": "testing", "VICTIMCARE_INSTANCE": str(instance)}
    app = create_app({"SQLALCHEMY_DATABASE_URI": url}, environ=environ)
    with app.app_context():
        flask_migrate.upgrade()
        if not filled:
            from victimcare.audit.checkpoints import write_checkpoint
            from victimcare.demo import seed_demo
            from victimcare.extensions import db

            seed_demo(with_cases=False)
            db.session.commit()
            with db.engine.begin() as connection:
                write_checkpoint(connection, first=True)
    return app


def analyse(app) -> None:
    from victimcare.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.exec_driver_sql("VACUUM ANALYZE")
        else:
            with db.engine.connect() as c:
                c.exec_driver_sql("ANALYZE")


def statistics_table(app) -> None:
    """Rebuild the statistics table when it is missing or stale, and say how long that took."""
    from victimcare.extensions import db
    from victimcare.reports import statistics

    with app.app_context():
        if statistics.ready():
            print("statistics table: current, reused")
            return
        began = time.perf_counter()
        rows = statistics.rebuild()
        db.session.commit()
        print(f"statistics table rebuilt in {time.perf_counter() - began:.0f} s: {rows:,} rows")
    analyse(app)


# -- measuring ----------------------------------------------------------------------------------


def runs(fn, repeat: int) -> list[float]:
    found = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        found.append(time.perf_counter() - began)
    return found


def show(name: str, seconds: list[float], target_ms: int) -> None:
    ms = [s * 1000 for s in seconds]
    ordered = sorted(ms)
    print(
        f"{name:<38} best {ordered[0]:6.0f} ms, median {ordered[len(ms) // 2]:6.0f} ms (target < {target_ms:,} ms;"
        f" runs in order: {', '.join(f'{m:.0f}' for m in ms)})"
    )


def measure(app) -> None:
    import sqlalchemy as sa
    from flask import g

    from victimcare.accounts.models import Agency
    from victimcare.extensions import db
    from victimcare.reports import dashboard, figures, pdf, periods, xlsx
    from victimcare.reports.indicators import BREAKDOWN_LABELS, BY_CODE, INDICATORS

    with app.app_context(), app.test_request_context():
        ids = tuple(db.session.scalars(sa.select(Agency.id).where(Agency.province_code == "15")))
        scope = figures.Scope(ids, own_agency=False)
        year = periods.parse("2025")
        print(f"statistics read from: {'the statistics table' if figures.via_facts() else 'the base tables'}")
        print(f"province 15, 2025: {figures.total(BY_CODE['received'], scope, year, TODAY):,} cases received")
        board = runs(lambda: dashboard.build(scope, year, INDICATORS[0], TODAY, 10), REPEAT)

        def sheets():
            tables = dashboard.all_tables(scope, year, TODAY, 10)
            return [
                (i.code, i.label, [(BREAKDOWN_LABELS[t.by], t) for t in ts], [str(m)]) for i, ts, m in tables
            ]

        def label(by, value):
            return value

        report_xlsx = runs(lambda: xlsx.workbook(["Báo cáo"], sheets(), label, ("", "", ""), "Tổng"), REPEAT)
        report_pdf = runs(lambda: pdf.document(["Báo cáo"], sheets(), label, ("", "", ""), "Tổng"), REPEAT)
        show("dashboard (province-year, protected)", board, 1_000)
        show("periodic report as XLSX", report_xlsx, 5_000)
        show("periodic report as PDF", report_pdf, 10_000)
        for code in ("received", "open_at_end"):
            print(f"plan of the {code} breakdowns:")
            for line in figures.explain(BY_CODE[code], scope, year, TODAY):
                print("   ", line)
        rewrites(app)
        g.report_facts_ready = False  # the same dashboard counted from the base tables, once, to compare
        show(
            "dashboard from the base tables",
            runs(lambda: dashboard.build(scope, year, INDICATORS[0], TODAY, 10), 1),
            1_000,
        )


def rewrites(app) -> None:
    """What keeping the table exact costs a write: one case's rows rewritten (a step, an edit)."""
    import sqlalchemy as sa

    from victimcare.cases.models import Case
    from victimcare.extensions import db
    from victimcare.reports import statistics

    ids = list(db.session.scalars(sa.select(Case.id).where(Case.reference.like("VC-B-00%")).limit(REPEAT)))
    took = []
    for case_id in ids:
        began = time.perf_counter()
        statistics.rewrite(db.session, {case_id: statistics.ALL})
        took.append(time.perf_counter() - began)
    db.session.rollback()
    show("one case's rows, all sources, rewritten", took, 100)


def main() -> None:
    url, filled = database_url()
    app = open_app(url, filled)
    print(settings_line(app))
    if not filled:
        began = time.perf_counter()
        counts = fill(app)
        print(
            f"filled in {time.perf_counter() - began:.0f} s: "
            + ", ".join(f"{k} {v:,}" for k, v in counts.items())
        )
        with app.app_context():  # rows written beside the app: its statistics table knows nothing of them
            from victimcare.extensions import db
            from victimcare.reports import statistics

            statistics.mark_stale(db.session)
            db.session.commit()
        analyse(app)
        FILLED_MARK.touch()
    else:
        print(f"reusing the filled database ({url.rsplit('/', 1)[-1]})")
    if os.environ.get("BENCH_STEP") == "fill":
        return
    statistics_table(app)
    measure(app)


if __name__ == "__main__":
    main()
