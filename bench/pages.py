"""Pages under load: /cases, /cases/<ref> and the home work queue beside a bare Flask page of the same size.

Fills 100,000 cases (SQLite, WAL, synchronous=FULL; or PostgreSQL with BENCH_BACKEND=postgresql),
serves the app with gunicorn (2 workers) and a bare Flask app the same way, and drives each with
wrk on loopback (2 threads, 8 connections, 10 s). Targets (issue 4): list ≥ 40 % and case page
≥ 30 % of the bare page's requests per second, p95 < 100 ms; the home queue (issue 16): p95 < 100 ms
under the same load, for an officer (police1) and for a supervisor (supervisor3, who also counts the
agency's unassigned and overdue cases, approvals and log flags). Needs `wrk` (apt-get install wrk).

The cases are spread as an agency's would be: a hundred workers of police-demo carry them (police1
about 1,000), one in a hundred waits unassigned, and stage deadlines fall from 30 days ago to 60 days
ahead, so every count of the queue has rows to find.

A third yardstick, "bare + 1 commit", is the bare page after appending one row and committing it
durably on the same database: the least a page that logs its view can do.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._setup import bench_app, drop_postgres, postgres_url, settings_line  # noqa: E402

CASES = int(os.environ.get("BENCH_CASES", 100_000))
BACKEND = os.environ.get("BENCH_BACKEND", "sqlite")  # or "postgresql", the production engine
DURATION = os.environ.get("BENCH_DURATION", "10s")
WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("RPS %.1f\\nP50 %.2f\\nP95 %.2f\\nERRORS %d\\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fill(app) -> None:
    from victimcare.accounts.operations import find_agency
    from victimcare.cases.importing import insert_rows
    from victimcare.extensions import db

    rng = random.Random(7)
    family, given = (
        ["Lò", "Giàng", "Nguyễn", "Trần", "Sùng", "Vàng"],
        ["Mai", "Xuyến", "Dợ", "Hoa", "Páo", "Lan"],
    )
    with app.app_context():
        for start in range(0, CASES, 20_000):
            agency = find_agency("police-demo")
            rows = [
                {
                    "full_name": f"{rng.choice(family)} Thị {rng.choice(given)}",
                    "gender": "Feminine",
                    "birth_year": rng.randint(1980, 2010),
                    "phone": f"+8491{rng.randint(0, 9_999_999):07d}",
                    "province_code": "15",
                }
                for _ in range(min(20_000, CASES - start))
            ]
            insert_rows(rows, agency)
            db.session.commit()
            db.session.remove()
        spread(rng)


WORKERS = 100


def spread(rng) -> None:
    """Give the cases to a hundred workers of police-demo (police1 and supervisor3 among them), leave one
    in a hundred unassigned, and move each deadline to between 30 days ago and 60 days ahead."""
    import uuid
    from datetime import timedelta

    import sqlalchemy as sa

    from victimcare.accounts.models import Agency, User
    from victimcare.cases.models import Case
    from victimcare.database import utcnow
    from victimcare.extensions import db

    agency_id = db.session.scalar(sa.select(Agency.id).where(Agency.code == "police-demo"))
    demo = list(db.session.scalars(sa.select(User.id).where(User.username.in_(["police1", "supervisor3"]))))
    extra = [
        {
            "username": f"bench-officer-{n}",
            "display_name": f"Cán bộ {n}",
            "password_hash": "!",
            "agency_id": agency_id,
        }
        for n in range(WORKERS - len(demo))
    ]
    db.session.execute(
        sa.insert(User.__table__),
        [{**row, "role": "officer", "id": uuid.uuid4()} for row in extra],
    )
    workers = demo + list(db.session.scalars(sa.select(User.id).where(User.username.like("bench-officer-%"))))
    now = utcnow()
    ids = list(db.session.scalars(sa.select(Case.id).where(Case.owning_agency_id == agency_id)))
    rows = [
        {
            "case_id": case_id,
            "worker": None if rng.random() < 0.01 else rng.choice(workers),
            "deadline": now + timedelta(minutes=rng.randint(-30 * 1440, 60 * 1440)),
        }
        for case_id in ids
    ]
    table = Case.__table__
    update = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("case_id"))
        .values(assigned_user_id=sa.bindparam("worker"), stage_deadline=sa.bindparam("deadline"))
    )
    for start in range(0, len(rows), 20_000):
        db.session.execute(update, rows[start : start + 20_000])
        db.session.commit()
    db.session.remove()


def serve(app_path: str, port: int, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app_path,
        ],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"gunicorn did not start on {port}")


def log_in(base: str, username: str = "police1") -> str:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"csrf_token": token, "username": username, "password": "victimcare-demo"}
    ).encode()
    opener.open(base + "/login", data)
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def wrk(url: str, cookie: str | None, script: Path) -> dict:
    command = ["wrk", "-t2", "-c8", f"-d{DURATION}", "-s", str(script), url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return {k: float(v) for k, v in re.findall(r"^(RPS|P50|P95|ERRORS) ([\d.]+)$", output, re.M)}


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("bench/pages.py needs wrk: apt-get install wrk")
    pg_url = postgres_url() if BACKEND == "postgresql" else None
    if BACKEND == "postgresql" and pg_url is None:
        sys.exit("BENCH_BACKEND=postgresql but no PostgreSQL server is reachable")
    app = bench_app(pg_url)
    try:
        run(app)
    finally:
        if pg_url:
            drop_postgres(pg_url, app)


def run(app) -> None:
    workdir = Path(app.config["INSTANCE_PATH"])
    started = time.perf_counter()
    fill(app)
    with app.app_context():
        from bench.bare_app import FLOOR_TABLE
        from victimcare.extensions import db

        with db.engine.begin() as connection:
            connection.exec_driver_sql(f"CREATE TABLE {FLOOR_TABLE} (note TEXT)")
    print(
        f"bench/pages.py — {CASES:,} cases filled in {time.perf_counter() - started:.0f} s; {settings_line(app)}"
    )
    env = {
        "VICTIMCARE_ENV": "development",
        "VICTIMCARE_INSTANCE": str(workdir),
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "PYTHONPATH": str(ROOT),
    }
    app_port, bare_port = free_port(), free_port()
    base = f"http://127.0.0.1:{app_port}"
    servers = [serve("app:app", app_port, env)]
    try:
        cookie = log_in(base)
        with urllib.request.urlopen(urllib.request.Request(base + "/cases", headers={"Cookie": cookie})) as r:
            list_page = r.read()
        reference = re.search(rb'href="/cases/(VC-\d{4}-\d{6})"', list_page).group(1).decode()
        with urllib.request.urlopen(
            urllib.request.Request(f"{base}/cases/{reference}", headers={"Cookie": cookie})
        ) as r:
            case_page = r.read()
        servers.append(
            serve("bench.bare_app:app", bare_port, {**env, "BARE_PAGE_BYTES": str(len(list_page))})
        )
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
            handle.write(WRK_SCRIPT)
        script = Path(handle.name)
        urllib.request.urlopen(
            f"http://127.0.0.1:{bare_port}/"
        ).read()  # its workers are up before wrk starts
        bare = wrk(f"http://127.0.0.1:{bare_port}/", None, script)
        floor = wrk(f"http://127.0.0.1:{bare_port}/logged", None, script)
        listing = wrk(base + "/cases", cookie, script)
        case = wrk(f"{base}/cases/{reference}", cookie, script)
        home = wrk(base + "/", cookie, script)
        supervisor = log_in(base, "supervisor3")
        home_supervisor = wrk(base + "/", supervisor, script)
        home_sizes = [len(fetch(base + "/", c)) for c in (cookie, supervisor)]
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
    print(f"gunicorn 2 workers per app; wrk -t2 -c8 -d{DURATION} on loopback, same 2-core machine")
    print(
        f"  bare Flask page ({len(list_page):,} B):  {bare['RPS']:8.1f} req/s  p50 {bare['P50']:6.2f} ms  p95 {bare['P95']:6.2f} ms"
    )
    print(
        f"  bare + 1 commit ({len(list_page):,} B):  {floor['RPS']:8.1f} req/s  p50 {floor['P50']:6.2f} ms  "
        f"p95 {floor['P95']:6.2f} ms  = {floor['RPS'] / bare['RPS']:4.0%} of bare (the floor of a logged view)"
    )
    for name, result, target, size in (
        ("/cases (list, page 1)", listing, 0.40, len(list_page)),
        ("/cases/<ref>", case, 0.30, len(case_page)),
    ):
        share = result["RPS"] / bare["RPS"]
        ok = share >= target and result["P95"] < 100 and not result["ERRORS"]
        print(
            f"  {name:<22} ({size:,} B): {result['RPS']:8.1f} req/s  p50 {result['P50']:6.2f} ms  "
            f"p95 {result['P95']:6.2f} ms  = {share:4.0%} of bare (target ≥ {target:.0%}, p95 < 100 ms) "
            f"errors {result['ERRORS']:.0f} → {'met' if ok else 'NOT met'}"
        )
    for name, result, size in (
        ("/ (queue, police1)", home, home_sizes[0]),
        ("/ (queue, supervisor3)", home_supervisor, home_sizes[1]),
    ):
        ok = result["P95"] < 100 and not result["ERRORS"]
        print(
            f"  {name:<22} ({size:,} B): {result['RPS']:8.1f} req/s  p50 {result['P50']:6.2f} ms  "
            f"p95 {result['P95']:6.2f} ms  = {result['RPS'] / bare['RPS']:4.0%} of bare (target p95 < 100 ms) "
            f"errors {result['ERRORS']:.0f} → {'met' if ok else 'NOT met'}"
        )


def fetch(url: str, cookie: str) -> bytes:
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookie})) as response:
        return response.read()


if __name__ == "__main__":
    main()
