"""How many SQL statements the case page costs, per reason the reader sees the case.

A case page used to ask for the same grant or referral several times and read each person's keys
apart (17–20 statements); the access decision is now made once and the victim's keys come with the
case. Every page also pays a fixed part that is not the case page's to cut: the transaction, the
session check (revocation), the referral badge of the menu, and the audit append (lock the chain's
head, insert the event, move the head): seven statements on SQLite, five on PostgreSQL (no
explicit BEGIN). The case page's own reads are held to ten.
"""

from __future__ import annotations

import contextlib

import pytest
import sqlalchemy as sa

from tests.helpers import add_case, add_consent, add_referral, add_support_records, post

CASE_PAGE_READS = 10
WHOLE_PAGE = CASE_PAGE_READS + 7
# Paid by every page, not by the case page: told apart by their text.
EVERY_PAGE = ("BEGIN", "FROM user_sessions", "count(*)", "audit_head", "INSERT INTO audit_events")


def _own(seen: list[str]) -> list[str]:
    return [statement for statement in seen if not any(mark in statement for mark in EVERY_PAGE)]


@contextlib.contextmanager
def statements(app):
    from victimcare.extensions import db

    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def _page_costs(app, client, url: str) -> list[str]:
    client.get(url)  # warm: the session row and catalogues are read once like on any page
    with statements(app) as seen:
        response = client.get(url)
    assert response.status_code == 200
    return seen


@pytest.fixture
def busy_case(seeded, login_as):
    """A police case with consents, a referral accepted by health, and support records."""
    reference = add_case(seeded, "police-demo", full_name="Lò Thị Xuyến", phone="0912345678")
    consent = add_consent(seeded, reference)
    referral_id = add_referral(seeded, reference, "health-demo", consent_id=consent, groups=("identity",))
    health = login_as("health1")
    accepted = post(health, f"/referrals/{referral_id}/accept", {}, token_page=f"/referrals/{referral_id}")
    assert accepted.status_code == 302
    add_support_records(seeded, reference)
    return reference


@pytest.mark.parametrize("username", ["police1", "supervisor1", "health1"])
def test_the_case_page_costs_at_most_ten_statements_for_each_reason_to_see_it(
    login_as, seeded, busy_case, username
):
    client = login_as(username)
    seen = _page_costs(seeded, client, f"/cases/{busy_case}")
    assert len(_own(seen)) <= CASE_PAGE_READS, "\n\n".join(_own(seen))
    assert len(seen) <= WHOLE_PAGE, "\n\n".join(seen)


def test_the_case_page_under_break_glass_costs_at_most_ten_statements(login_as, seeded, busy_case):
    social = login_as("social1")
    assert (
        post(social, f"/cases/{busy_case}/break-glass", {"reason": "Nạn nhân cần cấp cứu ngay"}).status_code
        == 302
    )
    seen = _page_costs(seeded, social, f"/cases/{busy_case}")
    assert len(_own(seen)) <= CASE_PAGE_READS, "\n\n".join(_own(seen))
    assert len(seen) <= WHOLE_PAGE, "\n\n".join(seen)
