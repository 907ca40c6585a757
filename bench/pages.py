"""Pages against their plaintext peer: /cases and /cases/<ref>, ours beside bench/peer_app.py.

The question (issue 14) is what our security costs: encryption, the confidentiality log, need-to-
know and server-side sessions. So the yardstick is a peer without them (bench/peer_app.py: plain
Flask, Flask-Login's cookie session, Flask-SQLAlchemy's ORM, a Bootstrap-Flask base), on the same
100,000 cases in plaintext tables with the composite index its list needs, on the same database.

For each backend (``BENCH_BACKEND``: ``sqlite``, ``postgresql`` or both, comma-separated; default
both), in one run:
- in process: the Flask test client, logged in as police1, one request of ours, then one of the
  peer's (in a process of its own, so none of our engine listeners touch it), alternating,
  ``BENCH_REQUESTS`` of each per page; p50 and p95, SQL statements per request (a
  ``before_cursor_execute`` listener on each engine) and connection pings;
- under load: each app under gunicorn (2 workers) driven by ``wrk -t2 -c8`` on loopback for
  ``BENCH_DURATION``, ours and the peer's alternating, ``BENCH_REPEATS`` times; the medians.

Targets (issue 14): within 1.5× the peer's time, p95 < 100 ms under load on both databases,
≤ 10 SQL statements for a case page. The home work queue (issue 16), under the same load: p95 < 100 ms
for an officer (police1) and for a supervisor (supervisor3, who also counts the agency's unassigned
and overdue cases, approvals and log flags). Our cases are spread as an agency's would be: a hundred
workers of police-demo carry them (police1 about 1,000), one in a hundred waits unassigned, and stage
deadlines fall from 30 days ago to 60 days ahead, so every count of the queue has rows to find. Needs ``wrk`` (apt-get install wrk).

"bare + 1 commit" (bench/bare_app.py) is a fixed page after appending one row and committing it
durably on the same database: the least a page that logs its view can do.
"""

from __future__ import annotations

import gc
import os
import random
import re
import shutil
import socket
import statistics
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
BACKENDS = os.environ.get("BENCH_BACKEND", "sqlite,postgresql").split(",")
DURATION = os.environ.get("BENCH_DURATION", "10s")
REQUESTS = int(os.environ.get("BENCH_REQUESTS", 400))
REPEATS = int(os.environ.get("BENCH_REPEATS", 2))
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


def case_rows() -> list[dict]:
    rng = random.Random(7)
    family, given = (
        ["Lò", "Giàng", "Nguyễn", "Trần", "Sùng", "Vàng"],
        ["Mai", "Xuyến", "Dợ", "Hoa", "Páo", "Lan"],
    )
    return [
        {
            "full_name": f"{rng.choice(family)} Thị {rng.choice(given)}",
            "gender": "Feminine",
            "birth_year": rng.randint(1980, 2010),
            "phone": f"+8491{rng.randint(0, 9_999_999):07d}",
            "province_code": "15",
        }
        for _ in range(CASES)
    ]


def fill(app, rows: list[dict], peer_url: str) -> None:
    """Our cases through the import's path (sealed, blind-indexed), then the same rows in clear for the peer."""
    import sqlalchemy as sa

    from bench import peer_app
    from victimcare.accounts.models import User
    from victimcare.accounts.operations import find_agency
    from victimcare.cases.importing import insert_rows
    from victimcare.cases.models import Case
    from victimcare.extensions import db

    with app.app_context():
        for start in range(0, len(rows), 20_000):
            insert_rows([dict(r) for r in rows[start : start + 20_000]], find_agency("police-demo"))
            db.session.commit()
            db.session.remove()
        spread(random.Random(7))
        references = db.session.scalars(
            sa.select(Case.reference).order_by(Case.reference.desc()).limit(len(rows))
        ).all()[::-1]
        deadline = db.session.scalar(sa.select(Case.stage_deadline).where(Case.reference == references[-1]))
        agency = find_agency("police-demo")
        user = db.session.scalar(sa.select(User).where(User.username == "police1"))
        peer_app.fill(
            peer_url,
            rows,
            references,
            agency={"code": agency.code, "name": agency.name, "kind": str(agency.kind)},
            user={
                "username": "police1",
                "password": "victimcare-demo",
                "display_name": user.display_name,
                "role": str(user.role),
                "locale": user.locale or "vi",
            },
            deadline=deadline,
        )
        db.session.remove()


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


def first_reference(base: str, cookie: str) -> str:
    with urllib.request.urlopen(urllib.request.Request(base + "/cases", headers={"Cookie": cookie})) as r:
        return re.search(rb'href="/cases/(VC-\d{4}-\d{6})"', r.read()).group(1).decode()


def wrk(url: str, cookie: str | None, script: Path) -> dict:
    command = ["wrk", "-t2", "-c8", f"-d{DURATION}", "-s", str(script), url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return {k: float(v) for k, v in re.findall(r"^(RPS|P50|P95|ERRORS) ([\d.]+)$", output, re.M)}


class Ours:
    """Our app in this process: time one GET, count its SQL statements and pool pings."""

    def __init__(self, app):
        import sqlalchemy as sa

        from tests.helpers import log_in as log_in_client
        from victimcare.extensions import db

        self.client = app.test_client()
        log_in_client(self.client, "police1", "victimcare-demo")
        self.statements = self.pings = 0
        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", self._count)
        ping = engine.dialect.do_ping

        def counted_ping(dbapi_connection):  # pings go to the driver, not through before_cursor_execute
            self.pings += 1
            return ping(dbapi_connection)

        engine.dialect.do_ping = counted_ping

    def _count(self, *args) -> None:
        self.statements += 1

    def get(self, path: str) -> tuple[float, int, int, int]:
        self.statements = self.pings = 0
        started = time.perf_counter()
        response = self.client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (path, response.status_code)
        return elapsed, self.statements, self.pings, len(response.data)


class Peer:
    """The peer in a process of its own (bench/peer_app.py's timing loop)."""

    def __init__(self, peer_url: str):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.peer_app"],
            cwd=ROOT,
            env={**os.environ, "PEER_DATABASE_URL": peer_url, "PYTHONPATH": str(ROOT)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def get(self, path: str) -> tuple[float, int, int, int]:
        self.process.stdin.write(path + "\n")
        self.process.stdin.flush()
        elapsed, statements, size = self.process.stdout.readline().split()
        return float(elapsed), int(statements), 0, int(size)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)


def in_process(app, peer_url: str, our_ref: str, peer_ref: str) -> dict:
    ours, peer = Ours(app), Peer(peer_url)
    gc.collect()
    gc.freeze()  # as app.py does after start-up
    results = {}
    try:
        for page, our_path, peer_path in (
            ("/cases", "/cases", "/cases"),
            ("/cases/<ref>", f"/cases/{our_ref}", f"/cases/{peer_ref}"),
        ):
            for _ in range(20):  # warm-up
                ours.get(our_path), peer.get(peer_path)
            mine, theirs = [], []
            for _ in range(REQUESTS):
                mine.append(ours.get(our_path))
                theirs.append(peer.get(peer_path))
            results[page] = (mine, theirs)
    finally:
        peer.close()
    return results


def under_load(app, peer_url: str) -> dict:
    workdir = Path(app.config["INSTANCE_PATH"])
    env = {
        "VICTIMCARE_ENV": "development",
        "VICTIMCARE_INSTANCE": str(workdir),
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "PEER_DATABASE_URL": peer_url,
        "PYTHONPATH": str(ROOT),
    }
    ports = {"ours": free_port(), "peer": free_port(), "floor": free_port()}
    servers = [
        serve("app:app", ports["ours"], env),
        serve("bench.peer_app:app", ports["peer"], env),
        serve("bench.bare_app:app", ports["floor"], env),
    ]
    runs: dict = {}
    try:
        bases = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        cookies = {name: log_in(bases[name]) for name in ("ours", "peer")}
        refs = {name: first_reference(bases[name], cookies[name]) for name in ("ours", "peer")}
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
            handle.write(WRK_SCRIPT)
        script = Path(handle.name)
        cookies["supervisor3"] = log_in(bases["ours"], "supervisor3")
        for _ in range(REPEATS):
            for user in ("police1", "supervisor3"):
                cookie = cookies["ours" if user == "police1" else user]
                runs.setdefault(("ours", f"/ ({user})"), []).append(wrk(bases["ours"] + "/", cookie, script))
            runs.setdefault(("floor", ""), []).append(wrk(bases["floor"] + "/logged", None, script))
            for page in ("/cases", "/cases/<ref>"):
                for name in ("ours", "peer"):
                    path = page.replace("<ref>", refs[name])
                    runs.setdefault((name, page), []).append(wrk(bases[name] + path, cookies[name], script))
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
    return runs


def report(backend: str, app, measured: dict, runs: dict) -> None:
    print(f"\n{backend}: {settings_line(app)}")
    print(
        f"  in process: Flask test client, {REQUESTS} requests per page and app, ours and the peer's alternating"
    )
    for page, (mine, theirs) in measured.items():
        ours_p50, peer_p50 = (statistics.median(r[0] for r in rows) for rows in (mine, theirs))
        ours_p95, peer_p95 = (statistics.quantiles([r[0] for r in rows], n=20)[-1] for rows in (mine, theirs))
        print(
            f"    {page:<13} ours p50 {ours_p50:6.2f} ms (p95 {ours_p95:6.2f}), peer p50 {peer_p50:6.2f} ms "
            f"(p95 {peer_p95:6.2f}) → {ours_p50 / peer_p50:4.2f}× (target ≤ 1.5×)  SQL statements "
            f"ours {_median_max([r[1] for r in mine])} (+{sum(r[2] for r in mine)} pings in {len(mine)} "
            f"requests), peer {_median_max([r[1] for r in theirs])}; {mine[0][3]:,} B vs {theirs[0][3]:,} B"
        )
    print(f"  under load: gunicorn 2 workers each; wrk -t2 -c8 -d{DURATION} on loopback; median of {REPEATS}")
    floor = runs[("floor", "")]
    print(
        f"    bare + 1 commit: {statistics.median(r['RPS'] for r in floor):8.1f} req/s, "
        f"p95 {statistics.median(r['P95'] for r in floor):6.2f} ms (the floor of a logged view)"
    )
    for page in ("/cases", "/cases/<ref>"):
        mine, theirs = runs[("ours", page)], runs[("peer", page)]
        ours = {k: statistics.median(r[k] for r in mine) for k in ("RPS", "P50", "P95")}
        peer = {k: statistics.median(r[k] for r in theirs) for k in ("RPS", "P50", "P95")}
        errors = sum(r["ERRORS"] for r in mine + theirs)
        ok = ours["P95"] < 100 and ours["P50"] <= 1.5 * peer["P50"] and not errors
        print(
            f"    {page:<13} ours {ours['RPS']:7.1f} req/s p50 {ours['P50']:6.2f} p95 {ours['P95']:6.2f} ms; "
            f"peer {peer['RPS']:7.1f} req/s p50 {peer['P50']:6.2f} p95 {peer['P95']:6.2f} ms → p50 "
            f"{ours['P50'] / peer['P50']:4.2f}×, rate {peer['RPS'] / ours['RPS']:4.2f}× "
            f"(runs' p95: {', '.join(format(r['P95'], '.1f') for r in mine)}) errors {errors:.0f} "
            f"→ {'met' if ok else 'NOT met'}"
        )


def report_queue(runs: dict) -> None:
    for user in ("police1", "supervisor3"):
        mine = runs[("ours", f"/ ({user})")]
        ours = {k: statistics.median(r[k] for r in mine) for k in ("RPS", "P50", "P95")}
        errors = sum(r["ERRORS"] for r in mine)
        ok = ours["P95"] < 100 and not errors
        print(
            f"    {'/ (queue, ' + user + ')':<24} ours {ours['RPS']:7.1f} req/s p50 {ours['P50']:6.2f} "
            f"p95 {ours['P95']:6.2f} ms (target p95 < 100 ms) errors {errors:.0f} → {'met' if ok else 'NOT met'}"
        )


def _median_max(counts: list[int]) -> str:
    """A request's statements, and the most any one took (a session's last-seen write every 30 s,
    a signed checkpoint every 1,000 events)."""
    typical, most = int(statistics.median(counts)), max(counts)
    return str(typical) if most == typical else f"{typical} (max {most})"


def run_backend(backend: str, rows: list[dict]) -> None:
    from bench.bare_app import FLOOR_TABLE

    pg_url = peer_url = None
    if backend == "postgresql":
        pg_url, peer_url = postgres_url(), postgres_url("_peer")
        if pg_url is None:
            print("\npostgresql: no server reachable, skipped")
            return
    app = bench_app(pg_url)
    peer_url = peer_url or f"sqlite:///{Path(app.config['INSTANCE_PATH']) / 'peer.db'}"
    try:
        started = time.perf_counter()
        fill(app, rows, peer_url)
        with app.app_context():
            from victimcare.extensions import db

            with db.engine.begin() as connection:
                connection.exec_driver_sql(f"CREATE TABLE {FLOOR_TABLE} (note TEXT)")
        print(
            f"\n{backend}: {CASES:,} cases filled (ours and the peer's) in {time.perf_counter() - started:.0f} s"
        )
        base_refs = _references(app, peer_url)
        measured = in_process(app, peer_url, *base_refs)
        runs = under_load(app, peer_url)
        report(backend, app, measured, runs)
        report_queue(runs)
    finally:
        if pg_url:
            drop_postgres(pg_url, app)
            drop_postgres(peer_url)
        # The SQLite files, the keyring and the checkpoints: a shared machine's /tmp is not ours to fill.
        shutil.rmtree(app.config["INSTANCE_PATH"], ignore_errors=True)


def _references(app, peer_url: str) -> tuple[str, str]:
    """The first case on each app's list page (the newest): the case page both open."""
    import sqlalchemy as sa

    from victimcare.cases.models import Case
    from victimcare.extensions import db

    with app.app_context():
        ours = db.session.scalar(sa.select(Case.reference).order_by(Case.reference.desc()).limit(1))
        db.session.remove()
    engine = sa.create_engine(peer_url)
    with engine.connect() as connection:
        peer = connection.exec_driver_sql("SELECT max(reference) FROM peer_cases").scalar()
    engine.dispose()
    return ours, peer


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("bench/pages.py needs wrk: apt-get install wrk")
    print(f"bench/pages.py — {CASES:,} cases, ours against the plaintext peer (bench/peer_app.py)")
    rows = case_rows()
    for backend in BACKENDS:
        run_backend(backend, rows)


if __name__ == "__main__":
    main()
