"""Blind-index search at scale, and import throughput, on SQLite and PostgreSQL.

1. Imports 100,000 generated rows through `import_file` (validation, sealing, indexes: the real
   path) and prints rows per second (target: 100,000 rows in under 60 s).
2. Tops the table up to 1,000,000 people through the same insert path, skipping CSV parsing
   (set-up only; not what is measured).
3. Times name, ID-number and phone searches, including decrypting and comparing candidates,
   and prints p50/p95 (target p95 < 20 ms).
Set BENCH_PEOPLE to run smaller; PostgreSQL is skipped when no server answers.
"""

from __future__ import annotations

import csv
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from bench._setup import bench_app, drop_postgres, postgres_url, settings_line  # noqa: E402

PEOPLE = int(os.environ.get("BENCH_PEOPLE", 1_000_000))
IMPORTED = min(100_000, PEOPLE)
QUERIES = 300
BITS = max(8, min(20, PEOPLE.bit_length() - 2))  # ≈ log2(rows) − 1

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Lò",
    "Giàng",
    "Sùng",
    "Vàng",
    "Thào",
    "Mùa",
    "Hà",
    "Lù",
    "Chảo",
    "Tẩn",
    "Hờ",
]
MIDDLE = ["Thị", "Văn", "Đức", "Minh", "Ngọc", "Thu", "Hồng", "A", "Seo", "Mí", "Quang", "Thanh"]
GIVEN = [
    "Xuyến",
    "Mai",
    "Lan",
    "Hoa",
    "Hùng",
    "Dũng",
    "Páo",
    "Chứ",
    "Sính",
    "Dua",
    "Mỷ",
    "Sua",
    "Nga",
    "Hải",
    "An",
    "Bình",
    "Cường",
    "Dợ",
    "Lử",
    "Sếnh",
    "Mẩy",
    "Di",
    "Huyền",
    "Trang",
    "Linh",
    "Phương",
    "Thảo",
    "Vân",
    "Yến",
    "Nhung",
    "Hằng",
    "Tâm",
    "Tuấn",
    "Khánh",
    "Long",
    "Nam",
    "Phúc",
    "Quân",
    "Sơn",
    "Tùng",
    "Vinh",
    "Chi",
    "Giang",
    "Hương",
    "Liên",
    "Ly",
    "My",
    "Nhi",
    "Oanh",
    "Quyên",
    "Thúy",
    "Trinh",
    "Uyên",
    "Xuân",
    "Ánh",
    "Bảo",
    "Châu",
    "Diệp",
    "Gấm",
    "Hạnh",
    "Kiều",
    "Loan",
    "Mơ",
    "Nụ",
    "Phấn",
    "Sen",
    "Tươi",
]


def person(rng: random.Random, i: int) -> dict:
    given = rng.choice(GIVEN) + (" " + rng.choice(GIVEN) if rng.random() < 0.4 else "")
    return {
        "full_name": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {given}",
        "sex": rng.choice("FFFM"),
        "birth_year": str(rng.randint(1975, 2012)),
        "id_number": f"0{rng.randint(1, 96):02d}{rng.randint(0, 999_999_999):09d}",
        "phone": f"09{i:08d}",
        "province_code": "15",
    }


def write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def bulk_fill(app, people: list[dict], agency) -> None:
    """The import's own insert path, fed validated rows directly (no CSV parsing)."""
    from victimcare.cases.importing import insert_rows
    from victimcare.cases.models import DocumentType, Gender
    from victimcare.extensions import db

    with app.app_context():
        agency = db.session.merge(agency)
        for start in range(0, len(people), 50_000):
            rows = [
                {
                    "full_name": p["full_name"],
                    "gender": Gender.FEMININE if p["sex"] == "F" else Gender.MASCULINE,
                    "birth_year": int(p["birth_year"]),
                    "id_document_type": DocumentType.CITIZEN_ID,
                    "id_number": p["id_number"],
                    "phone": "+84" + p["phone"][1:],
                    "province_code": "15",
                }
                for p in people[start : start + 50_000]
            ]
            insert_rows(rows, agency)
            db.session.commit()
            print(f"    filled {start + len(rows):,} / {len(people):,}", file=sys.stderr, flush=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run(label: str, database_url: str | None):
    from victimcare.accounts.operations import find_agency
    from victimcare.cases.importing import import_file
    from victimcare.cases.operations import search_victims
    from victimcare.extensions import db

    bits = {name: BITS for name in ("name_folded", "name_tokens", "id_number", "phone", "dup_key")}
    app = bench_app(database_url, BLIND_INDEX_BITS=bits)
    rng = random.Random(20261122)
    people = [person(rng, i) for i in range(PEOPLE)]
    print(f"\n== {label}: {settings_line(app)}; blind-index bits {BITS}")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "import.csv"
        write_csv(path, people[:IMPORTED])
        with app.app_context():
            agency = find_agency("police-demo")
            started = time.perf_counter()
            import_file(path, agency)
            db.session.commit()
            elapsed = time.perf_counter() - started
    print(
        f"  import (validate + seal + index + insert), {IMPORTED:,} rows: {elapsed:6.1f} s = "
        f"{IMPORTED / elapsed:,.0f} rows/s  (target: 100,000 rows < 60 s → "
        f"{'met' if IMPORTED / elapsed * 60 >= 100_000 else 'NOT met'})"
    )

    if PEOPLE > IMPORTED:
        started = time.perf_counter()
        bulk_fill(app, people[IMPORTED:], agency)
        print(
            f"  bulk fill to {PEOPLE:,} people: {time.perf_counter() - started:6.1f} s (set-up, not a target)"
        )
        with app.app_context():
            if db.engine.dialect.name == "postgresql":
                with db.engine.connect() as c:
                    c.exec_driver_sql("ANALYZE")
                    c.commit()

    sample = rng.sample(people, QUERIES)
    kinds = {
        "name (folded, no diacritics)": lambda p: ("name", p["full_name"]),
        "name (words reordered, upper)": lambda p: (
            "name",
            " ".join(reversed(p["full_name"].split())).upper(),
        ),
        "ID number": lambda p: ("id_number", p["id_number"]),
        "phone": lambda p: ("phone", "+84" + p["phone"][1:]),
    }
    with app.app_context():
        for name, make in kinds.items():
            timings, found = [], 0
            for p in sample:
                kind, term = make(p)
                db.session.remove()  # a fresh request: nothing cached
                started = time.perf_counter()
                result = search_victims(kind, term)
                timings.append((time.perf_counter() - started) * 1000)
                found += bool(result)
            p95 = percentile(timings, 95)
            print(
                f"  search by {name:<30} p50 {statistics.median(timings):6.2f} ms  p95 {p95:6.2f} ms  "
                f"found {found}/{len(sample)}  (target p95 < 20 ms → {'met' if p95 < 20 else 'NOT met'})"
            )
    return app


def main() -> None:
    print(f"bench/search.py — {PEOPLE:,} people, {QUERIES} queries per kind, one process, 2-core machine")
    run("SQLite", None)
    url = postgres_url()
    if url is None:
        print("\n== PostgreSQL: not reachable, skipped")
    else:
        app = run("PostgreSQL", url)
        drop_postgres(url, app)


if __name__ == "__main__":
    main()
