"""The case list's cost in SQL: a fixed handful of statements, however many rows the page shows."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.helpers import add_case

LIST_STATEMENTS = 10  # session, visibility, rows, data keys, referral badge, the view event's append …


def _statements(app, client, url: str) -> list[str]:
    from victimcare.extensions import db

    seen: list[str] = []

    def count(connection, cursor, statement, *args):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return seen


def _import(app, count: int) -> None:
    from victimcare.accounts.operations import find_agency
    from victimcare.cases.importing import insert_rows
    from victimcare.extensions import db

    with app.app_context():
        rows = [
            {"full_name": f"Lò Thị Mai {n}", "gender": "Feminine", "birth_year": 1990} for n in range(count)
        ]
        insert_rows(rows, find_agency("police-demo"))
        db.session.commit()
        db.session.remove()


def test_the_case_list_runs_the_same_few_statements_for_one_row_and_for_a_full_page(seeded, login_as):
    add_case(seeded, "police-demo", full_name="Lò Thị Xuyến")
    police = login_as("police1")
    police.get("/cases")  # the session's last-seen time may be written once; not what is counted
    one = _statements(seeded, police, "/cases")
    _import(seeded, 60)
    full = _statements(seeded, police, "/cases")
    page = police.get("/cases").text
    assert len(re.findall(r'href="/cases/VC-', page)) == 50 and "Lò Thị Mai" in page
    assert len(full) == len(one) <= LIST_STATEMENTS, full
    # The view event is appended once for the page, naming its fifty cases; not once per row.
    assert sum(s.lstrip().upper().startswith("INSERT INTO AUDIT_EVENTS") for s in full) == 1


def test_a_filtered_and_sorted_list_costs_no_more(seeded, login_as):
    _import(seeded, 55)
    police = login_as("police1")
    police.get("/cases")
    plain = _statements(seeded, police, "/cases")
    filtered = _statements(seeded, police, "/cases?stage=intake&sort=deadline&overdue=1&page=2")
    assert len(filtered) <= len(plain) <= LIST_STATEMENTS
