"""`flask cases import` of 200,000 rows (CSV and XLSX): time and peak memory, validation and the whole
import, each in a child process of its own so that its peak RSS is the import's and nothing else's.

Target (issue 13 item 18): 200,000 rows within the bound stated in the README (IMPORT_MEMORY_BOUND_MB
below), with every column filled. `BENCH_ROWS` runs smaller. Prints the figures; exits 1 over the bound.
"""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROWS = int(os.environ.get("BENCH_ROWS", "200000"))
IMPORT_MEMORY_BOUND_MB = 300  # peak RSS of the whole process, app included (README "Import")
FAMILY = ["Nguyễn", "Trần", "Lò", "Thào", "Giàng", "Vàng", "Hoàng", "Lý", "Sùng", "Mùa"]
MIDDLE = ["Thị", "Văn", "A", "Seo", "Mí"]
GIVEN = ["Xuyến", "Dua", "Mai", "Hải", "Sếnh", "Páo", "Lan", "Chứ", "Dính", "Say"]


def people(n: int, seed: int = 13):
    rng = random.Random(seed)
    for i in range(n):
        yield [
            f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            "",
            rng.choice("FM"),
            f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1975, 2012)}",
            "",
            "VN",
            rng.choice(["có", "không"]),
            "citizen_id",
            f"0{rng.randint(1, 96):02d}{i:09d}",
            f"09{i:08d}",
            f"Bản {rng.choice(GIVEN)}, xã {rng.choice(GIVEN)}, số {i}",
            "15",
            f"{rng.randint(1, 99999):05d}",
        ]


def write_csv(path: Path, n: int) -> None:
    from victimcare.cases.importing import COLUMNS

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(people(n))


def write_xlsx(path: Path, n: int) -> None:
    from openpyxl import Workbook

    from victimcare.cases.importing import COLUMNS

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(COLUMNS))
    for row in people(n):
        sheet.append(row)
    workbook.save(path)


CHILD = r"""
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[4])
from bench._setup import bench_app
app = bench_app(sys.argv[3] if sys.argv[3] != "-" else None)
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
from victimcare.cases import importing
from victimcare.extensions import db
with app.app_context():
    start = time.perf_counter()
    if sys.argv[2] == "validate":
        count, errors = importing.validate(Path(sys.argv[1]), importing.datetime.now().date())
        assert not errors, errors[:5]
    else:
        from victimcare.accounts import operations
        count = importing.import_file(Path(sys.argv[1]), operations.find_agency("police-demo"))
        db.session.commit()
    seconds = time.perf_counter() - start
print(json.dumps({"rows": count, "seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "app_mb": baseline / 1024}))
"""


def measure(path: Path, what: str) -> dict:
    root = str(Path(__file__).resolve().parent.parent)
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), what, "-", root], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="victimcare-bench-import-"))
    files = {"CSV": workdir / "people.csv", "XLSX": workdir / "people.xlsx"}
    write_csv(files["CSV"], ROWS)
    write_xlsx(files["XLSX"], ROWS)
    over = False
    print(f"import of {ROWS:,} rows, every column filled; peak RSS of the whole process (app ≈ baseline)")
    for kind, path in files.items():
        for what in ("validate", "import"):
            r = measure(path, what)
            over |= r["peak_mb"] > IMPORT_MEMORY_BOUND_MB
            print(
                f"  {kind:4} {what:8} {path.stat().st_size / 2**20:6.1f} MB file  {r['seconds']:6.1f} s  "
                f"peak {r['peak_mb']:5.0f} MB (app alone {r['app_mb']:.0f} MB)  bound {IMPORT_MEMORY_BOUND_MB} MB",
                flush=True,
            )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
