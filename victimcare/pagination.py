"""One way to page a list: the page number from the query string, clamped, and one row more than a
page to tell whether a next page exists (counting every row would cost more than the page).

``?page=`` is typed by anyone: a huge number would overflow the database's OFFSET (SQLite's and
PostgreSQL's 64-bit integers) and answer 500, a negative or non-number one means nothing. Both
are clamped to a page that exists in principle; a page past the end is simply empty.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from flask import request

from victimcare.extensions import db

MAX_PAGE = 1_000_000  # × 100 rows a page at most: far past any real list, far below any overflow


@dataclass(frozen=True, slots=True)
class Page:
    items: Sequence
    number: int
    has_next: bool


def requested_page() -> int:
    """``?page=`` as a number between 1 and MAX_PAGE (1 when missing or not a number)."""
    return min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)


def paginate(query: sa.Select, per_page: int, load: Callable[[sa.Select], Sequence] | None = None) -> Page:
    """The requested page of ``query`` (already ordered); ``load`` runs it (default: ORM objects)."""
    number = requested_page()
    load = load or (lambda q: db.session.scalars(q).all())
    rows = load(query.limit(per_page + 1).offset((number - 1) * per_page))
    return Page(items=rows[:per_page], number=number, has_next=len(rows) > per_page)
