"""Statistics at scale: the dashboard and the periodic report over 1,000,000 cases.

Fills BENCH_CASES cases (default 1,000,000) spread over 10 provinces, 4 agencies each, and five
years, with their stage events (about 2.5 per case), support services, protection measures,
referrals and follow-ups, inserted with Core (no personal data: figures never read it). Then times,
for one province-year as its supervisor sees it (small cells protected), the dashboard (target
< 1 s), the full periodic report as XLSX (< 5 s) and as PDF (< 10 s). SQLite by default;
BENCH_BACKEND=postgresql runs on PostgreSQL. Prints the settings it ran with and the query plan of
the received-cases count.
"""

from __future__ import annotations

import os
import random
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._setup import bench_app, drop_postgres, postgres_url, settings_line  # noqa: E402

CASES = int(os.environ.get("BENCH_CASES", 1_000_000))
BACKEND = os.environ.get("BENCH_BACKEND", "sqlite")
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
PATH = [
    "start_verification",
    "request_identification",
    "confirm_safe",
    "start_support",
    "start_reintegration",
]
BATCH = 20_000


def fill(app) -> dict:
    import sqlalchemy as sa

    from victimcare.accounts.models import Agency
    from victimcare.extensions import db

    rng = random.Random(15)
    start = datetime(2022, 1, 1, tzinfo=UTC)
    with app.app_context():
        agencies = []
        for province in PROVINCES:
            for kind in KINDS:
                code = f"{kind}-{province}"
                agency_id = uuid.uuid4()
                db.session.execute(
                    sa.insert(Agency),
                    [
                        {
                            "id": agency_id,
                            "code": code,
                            "name": code,
                            "kind": kind,
                            "province_code": province,
                            "active": True,
                        }
                    ],
                )
                agencies.append((agency_id, province))
        db.session.commit()
        tables = {
            name: db.metadata.tables[name]
            for name in (
                "victims",
                "cases",
                "stage_events",
                "support_services",
                "protection_measures",
                "referrals",
                "follow_ups",
            )
        }
        counts = dict.fromkeys(tables, 0)
        for first in range(0, CASES, BATCH):
            rows = {name: [] for name in tables}
            for n in range(first, min(first + BATCH, CASES)):
                agency_id, _province = rng.choice(agencies)
                received = start + timedelta(minutes=rng.randint(0, 5 * 365 * 24 * 60))
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
                steps = PATH[: rng.randint(0, len(PATH))]
                abroad = rng.choice([True, False, None])
                rows["cases"].append(
                    {
                        "id": case_id,
                        "reference": f"VC-B-{n:07d}",
                        "victim_id": victim_id,
                        "owning_agency_id": agency_id,
                        "stage": "intake",
                        "stage_started_at": received,
                        "legal_regime": "2024",
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
                when = received
                for trigger in steps:
                    when += timedelta(hours=rng.randint(2, 120))
                    rows["stage_events"].append(
                        {
                            "id": uuid.uuid4(),
                            "case_id": case_id,
                            "trigger": trigger,
                            "to_stage": "verification",
                            "agency_id": agency_id,
                            "created_at": when,
                            "facts": {},
                        }
                    )
                if "start_support" in steps:
                    rows["support_services"].append(
                        {
                            "id": uuid.uuid4(),
                            "case_id": case_id,
                            "person_id": victim_id,
                            "beneficiary": "victim",
                            "support_type": rng.choice(
                                ["essential_needs", "medical", "legal_aid", "schooling"]
                            ),
                            "status": rng.choice(["delivered", "in_progress", "planned"]),
                            "starts_on": (when + timedelta(days=1)).date(),
                            "recorded_at": when,
                            "version": 1,
                        }
                    )
                    rows["protection_measures"].append(
                        {
                            "id": uuid.uuid4(),
                            "case_id": case_id,
                            "measure": "identity_secrecy",
                            "for_relative": False,
                            "starts_on": when.date(),
                            "recorded_at": when,
                            "version": 1,
                        }
                    )
                if "start_reintegration" in steps:
                    rows["follow_ups"].append(
                        {
                            "id": uuid.uuid4(),
                            "case_id": case_id,
                            "due_on": (when + timedelta(days=30)).date(),
                            "version": 1,
                            "done_on": rng.choice([None, (when + timedelta(days=28)).date()]),
                        }
                    )
                if rng.random() < 0.1:
                    target, _ = rng.choice(agencies)
                    rows["referrals"].append(
                        {
                            "id": uuid.uuid4(),
                            "case_id": case_id,
                            "kind": "referral",
                            "purpose": "medical_care",
                            "urgency": "normal",
                            "from_agency_id": agency_id,
                            "to_agency_id": target,
                            "shared_groups": ["identity"],
                            "legal_basis": "consent",
                            "status": rng.choice(["pending", "accepted", "declined", "expired"]),
                            "sent_at": received,
                            "answer_due_at": received + timedelta(days=3),
                            "version": 1,
                        }
                    )
            for name, table in tables.items():
                if rows[name]:
                    db.session.execute(sa.insert(table), rows[name])
                    counts[name] += len(rows[name])
            db.session.commit()
        return counts


def timed(fn, repeat=3) -> float:
    best = None
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - began
        best = elapsed if best is None else min(best, elapsed)
    return best


def measure(app) -> None:
    import sqlalchemy as sa

    from victimcare.accounts.models import Agency
    from victimcare.extensions import db
    from victimcare.reports import dashboard, figures, pdf, periods, xlsx
    from victimcare.reports.indicators import BREAKDOWN_LABELS, BY_CODE, INDICATORS

    with app.app_context(), app.test_request_context():
        ids = tuple(db.session.scalars(sa.select(Agency.id).where(Agency.province_code == "15")))
        scope = figures.Scope(ids, own_agency=False)
        year, today = periods.parse("2025"), date(2026, 12, 2)
        print(f"province 15, 2025: {figures.total(BY_CODE['received'], scope, year, today):,} cases received")
        board = timed(lambda: dashboard.build(scope, year, INDICATORS[0], today, 10))
        tables = lambda: dashboard.all_tables(scope, year, today, 10)  # noqa: E731
        sheets = lambda: [(i.code, i.label, [(BREAKDOWN_LABELS[t.by], t) for t in ts]) for i, ts in tables()]  # noqa: E731

        def label(by, value):
            return value

        report_xlsx = timed(
            lambda: xlsx.workbook(["Báo cáo"], sheets(), label, ("", "", ""), "Tổng"), repeat=2
        )
        report_pdf = timed(lambda: pdf.document(["Báo cáo"], sheets(), label, ("", "", ""), "Tổng"), repeat=2)
        print(f"dashboard (province-year, protected): {board * 1000:8.0f} ms   (target < 1,000 ms)")
        print(f"periodic report as XLSX:              {report_xlsx * 1000:8.0f} ms   (target < 5,000 ms)")
        print(f"periodic report as PDF:               {report_pdf * 1000:8.0f} ms   (target < 10,000 ms)")
        rows, where = figures._bounded(BY_CODE["received"], scope, year.start, year.end, today)
        query = sa.select(sa.func.count()).select_from(rows).where(where)
        compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
        explain = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
        print("plan of the received-cases count:")
        for line in db.session.execute(sa.text(explain + str(compiled))).all():
            print("   ", " ".join(str(part) for part in line))


def main() -> None:
    url = postgres_url() if BACKEND == "postgresql" else None
    if BACKEND == "postgresql" and url is None:
        print("PostgreSQL is not reachable: skipped")
        return
    app = bench_app(url)
    print(settings_line(app))
    began = time.perf_counter()
    counts = fill(app)
    print(
        f"filled in {time.perf_counter() - began:.0f} s: "
        + ", ".join(f"{k} {v:,}" for k, v in counts.items())
    )
    if BACKEND == "postgresql":
        with app.app_context():
            from victimcare.extensions import db

            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.exec_driver_sql("VACUUM ANALYZE")
    else:
        with app.app_context():
            from victimcare.extensions import db

            with db.engine.connect() as c:
                c.exec_driver_sql("ANALYZE")
    measure(app)
    if url:
        drop_postgres(url, app)


if __name__ == "__main__":
    main()
