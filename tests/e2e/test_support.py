"""social1 records essential needs and a legal counselling session (psychological care is the medical group's) on a case police referred to social
affairs, schedules the follow-ups, and the case page shows the services, the protection banner and the next
follow-up date."""

import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.helpers import add_case, add_consent, add_referral, db_session
from workflows.support import add_months

pytestmark = pytest.mark.e2e


def _log_in_vietnamese(page, username):
    """Log in and make sure the page speaks Vietnamese (another browser test may have left a user on English)."""
    log_in(page, username)
    if page.locator("html").get_attribute("lang") != "vi":
        page.get_by_test_id("language-switch").click()


def _log_out(page):
    page.locator("form[action='/logout'] button").click()


def _referred_to_social_affairs(app) -> str:
    from victimcare.accounts.models import User
    from victimcare.referrals import operations
    from victimcare.referrals.models import Referral

    reference = add_case(app, "police-demo", full_name="Hờ Thị Chua", gender="Feminine")
    consent = add_consent(
        app, reference, agency_kinds=("social_affairs",), purposes=("shelter_essential_needs",)
    )
    referral_id = add_referral(
        app,
        reference,
        "social-demo",
        purpose="shelter_essential_needs",
        groups=("identity", "contact"),
        consent_id=consent,
    )
    with db_session(app) as session:
        social1 = session.scalar(sa.select(User).where(User.username == "social1"))
        operations.answer(session.get(Referral, uuid.UUID(referral_id)), "accept", social1)
        session.commit()
    return reference


def test_a_social_worker_records_support_and_schedules_follow_ups(page, live_app, screenshot):
    reference = _referred_to_social_affairs(live_app)
    start = date.today() - timedelta(days=3)
    day = start.strftime("%d/%m/%Y")

    # The police, who hold the case, keep the person's address secret.
    _log_in_vietnamese(page, "police1")
    page.goto(f"/cases/{reference}")
    page.get_by_test_id("add-measure").click()
    page.select_option("#measure", "address_secrecy")
    page.fill("#starts_on", day)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("protection-banner")).to_contain_text("Không được tiết lộ địa chỉ")
    _log_out(page)

    _log_in_vietnamese(page, "social1")
    page.goto(f"/cases/{reference}")
    expect(page.get_by_test_id("protection-banner")).to_be_visible()
    page.get_by_test_id("add-support").click()
    expect(page.get_by_test_id("beneficiary")).to_contain_text("Người đang trong quá trình xác định")
    expect(page.locator("[data-type=schooling][data-eligible=no]")).to_contain_text(
        "cho đến khi được xác định"
    )
    page.select_option("#support_type", "essential_needs")
    page.select_option("#status", "in_progress")
    page.fill("#starts_on", day)
    page.fill("#amount_vnd", "3600000")
    page.fill("#decision_reference", "215/QĐ-SYT")
    page.fill("#decided_on", day)
    page.locator("main form button[type=submit]").click()

    page.get_by_test_id("add-support").click()
    page.select_option("#support_type", "legal_counselling")
    page.select_option("#status", "delivered")
    page.fill("#starts_on", day)
    page.fill("#notes", "Buổi tư vấn pháp lý đầu tiên")
    page.locator("main form button[type=submit]").click()

    page.get_by_test_id("plan").click()
    page.fill("#starts_on", day)
    page.fill("#housing", "Về ở cùng gia đình tại xã")
    page.fill("#work", "Học nghề may")
    page.locator("main form button[type=submit]").click()

    services = page.get_by_test_id("services")
    expect(services.locator("tr[data-type=essential_needs]")).to_contain_text("215/QĐ-SYT")
    expect(services.locator("tr[data-type=legal_counselling]")).to_contain_text("Đã thực hiện")
    expect(page.get_by_test_id("protection-banner")).to_contain_text("Không được tiết lộ địa chỉ")
    next_visit = add_months(start, 1).strftime("%d/%m/%Y")
    expect(page.get_by_test_id("next-follow-up")).to_contain_text(
        f"Lần thăm theo dõi tiếp theo: {next_visit}"
    )
    screenshot("case-page")
