"""The 34 provinces and centrally-run cities of Vietnam since 1 July 2025 (Resolution 202/2025/QH15),
by their two-digit code (Decision 19/2025/QĐ-TTg): the one list province pickers offer and check."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

PROVINCES_FILE = Path(__file__).parent / "data" / "provinces_vn_2025.csv"


@cache
def provinces() -> dict[str, str]:
    """Code → name, in code order."""
    with PROVINCES_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle)}


def is_province(code: str | None) -> bool:
    return isinstance(code, str) and code in provinces()


def province_name(code: str) -> str | None:
    return provinces().get(code)
