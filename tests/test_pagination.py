"""One pager for every paged list: its links keep the list's filters and the page it is on."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.helpers import add_case, add_referral, db_session
from victimcare.referrals.models import Referral


def _links(html: str) -> dict[str, str]:
    pager = re.search(r'<nav [^>]*data-testid="pager".*?</nav>', html, re.S)
    assert pager, "no pager on the page"
    return {
        rel: href.replace("&amp;", "&") for href, rel in re.findall(r'href="([^"]+)" rel="(\w+)"', pager[0])
    }


@pytest.fixture
def one_a_page(monkeypatch):
    from victimcare.audit import views as audit_views
    from victimcare.cases import views as case_views
    from victimcare.referrals import views as referral_views

    for module in (audit_views, case_views, referral_views):
        monkeypatch.setattr(module, "PAGE_SIZE", 1)


def test_the_case_list_pages_keep_its_filters(login_as, seeded, one_a_page):
    for name in ("Lò Thị Xuyến", "Đặng Văn Hải", "Hoàng Thị Mai"):
        add_case(seeded, full_name=name)
    client = login_as("police1")
    assert _links(client.get("/cases?stage=intake").text) == {"next": "/cases?stage=intake&page=2"}
    assert _links(client.get("/cases?stage=intake&page=2").text) == {
        "prev": "/cases?stage=intake&page=1",
        "next": "/cases?stage=intake&page=3",
    }
    assert 'data-testid="pager"' not in client.get("/cases?stage=closed").text  # one page: no pager


def test_the_referral_list_pages_keep_the_overdue_filter(login_as, seeded, one_a_page):
    """The referrals' own pager used to drop ``overdue`` on its links."""
    ids = [add_referral(seeded, add_case(seeded)) for _ in range(2)]
    with db_session(seeded) as session:
        for referral_id in ids:
            session.get(Referral, uuid.UUID(referral_id)).answer_due_at = datetime.now(UTC) - timedelta(
                hours=1
            )
        session.commit()
    page = login_as("police1").get("/referrals?box=outbox&overdue=1").text
    assert _links(page) == {"next": "/referrals?box=outbox&overdue=1&page=2"}
    page = login_as("health1").get("/referrals?page=2").text
    assert _links(page) == {"prev": "/referrals?page=1"}


def test_the_log_pages_keep_its_filters(login_as, seeded, one_a_page):
    login_as("police1")
    login_as("police1")
    assert _links(login_as("auditor1").get("/audit?action=login").text) == {
        "next": "/audit?action=login&page=2"
    }
