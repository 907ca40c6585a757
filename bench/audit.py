"""What the confidentiality log costs: an audited case view beside the same view unlogged, in one
run, and appends per second (each committed on its own) on SQLite and PostgreSQL.

Target (issue 7): the audit adds < 2 ms at p50 to a case view.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._setup import bench_app, drop_postgres, postgres_url, settings_line  # noqa: E402
from vocabulary import AuditAction, FieldGroup, ObjectType

VIEWS = 400
APPENDS = 2000


def timed_views(client, url: str) -> list[float]:
    timings = []
    for _ in range(VIEWS):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return timings


def view_cost(app) -> tuple[float, float]:
    from tests.helpers import add_case, log_in
    from victimcare.audit import operations as audit

    reference = add_case(app, "police-demo", full_name="Lò Thị Xuyến", phone="0912345678")
    client = app.test_client()
    log_in(client, "police1", "victimcare-demo")
    url = f"/cases/{reference}"
    timed_views(client, url)  # warm up
    logged, unlogged = [], []
    original = audit.record_view
    for _ in range(5):  # interleaved rounds, so drift hits both alike
        logged += timed_views(client, url)
        audit.record_view = lambda case, fields, purpose=None: None  # logging off: no event, no commit
        try:
            unlogged += timed_views(client, url)
        finally:
            audit.record_view = original
    return statistics.median(logged), statistics.median(unlogged)


def appends_per_second(app) -> float:
    from victimcare.audit import operations as audit
    from victimcare.extensions import db

    with app.app_context():
        started = time.perf_counter()
        for n in range(APPENDS):
            audit.record(
                AuditAction.VIEW,
                object_type=ObjectType.CASE,
                object_id=f"bench-{n}",
                fields=[FieldGroup.IDENTITY],
            )
            db.session.commit()
        elapsed = time.perf_counter() - started
        db.session.remove()
    return APPENDS / elapsed


def main() -> None:
    print(f"bench/audit.py — {VIEWS * 5} views each way (interleaved), {APPENDS} appends; one process")
    app = bench_app(PASSWORD_HASH_PROFILE="cheapest")
    with_log, without_log = view_cost(app)
    added = with_log - without_log
    print(f"  SQLite: {settings_line(app)}")
    print(
        f"  case view p50: {with_log:.2f} ms audited, {without_log:.2f} ms unlogged → adds {added:.2f} ms "
        f"(target < 2 ms → {'met' if added < 2 else 'NOT met'})"
    )
    print(f"  appends, each its own commit: {appends_per_second(app):,.0f}/s")
    url = postgres_url()
    if url is None:
        print("  PostgreSQL: not reachable, skipped")
        return
    pg = bench_app(url, PASSWORD_HASH_PROFILE="cheapest")
    print(f"  PostgreSQL: {settings_line(pg)}")
    with_log, without_log = view_cost(pg)
    print(
        f"  case view p50: {with_log:.2f} ms audited, {without_log:.2f} ms unlogged → adds "
        f"{with_log - without_log:.2f} ms (target < 2 ms → {'met' if with_log - without_log < 2 else 'NOT met'})"
    )
    print(f"  appends, each its own commit: {appends_per_second(pg):,.0f}/s")
    drop_postgres(url, pg)


if __name__ == "__main__":
    main()
