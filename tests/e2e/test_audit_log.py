"""supervisor1 reads the log of a case after its transfer: labels in Vietnamese, no false "another
agency" flag on the first owner's views, and a real flag (health1's emergency access) marked reviewed
(issue 16, acceptance)."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def _log_out(page):
    page.locator("form[action='/logout'] button").click()


def _transfer_to_social_affairs(page) -> str:
    """border1 receives a person, opens the case, and transfers it to social affairs; social1 accepts."""
    log_in(page, "border1")
    page.goto("/cases/new")
    page.select_option("#channel", "border_handover")
    page.fill("#received_at", "21/11/2026 07:45")
    page.fill("#full_name", "Giàng Thị Sua")
    page.select_option("#gender", "Feminine")
    page.fill("#date_of_birth", "03/03/2002")
    page.check("input[name=exploitation][value=ForcedMarriage]")
    page.locator("main form button[type=submit]").click()
    reference = re.search(r"/cases/(VC-\d{4}-\d{6})", page.url).group(1)
    page.goto(f"/cases/{reference}")  # the owner's own view, before the transfer

    page.goto(f"/cases/{reference}/consents/new")
    page.check("input[name=agency_kinds][value=social_affairs]")
    page.check("input[name=purposes][value=protection]")
    page.fill("#given_at", "21/11/2026 08:00")
    page.locator("main form button[type=submit]").click()
    page.get_by_test_id("refer").click()
    page.locator("[data-purpose=protection]").click()
    page.check("input[name=kind][value=transfer]")
    social_affairs = page.locator("#to_agency option", has_text="Bảo trợ xã hội").get_attribute("value")
    page.select_option("#to_agency", social_affairs)
    page.get_by_test_id("review").click()
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("case-referrals")).to_be_visible()
    _log_out(page)

    log_in(page, "social1")
    page.get_by_test_id("nav-referrals").click()
    page.locator("[data-testid=referral-row] a", has_text=reference).click()
    page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("full-name")).to_have_text("Giàng Thị Sua")
    _log_out(page)
    return reference


def test_a_supervisor_reads_the_log_after_a_transfer_and_marks_a_flag_reviewed(page, screenshot):
    reference = _transfer_to_social_affairs(page)

    log_in(page, "health1")  # a health worker opens the case in an emergency: a true flag
    page.goto(f"/cases/{reference}/break-glass")
    page.fill("#reason", "Người bệnh bất tỉnh tại trạm, cần liên hệ người thân")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("break-glass-banner")).to_be_visible()
    _log_out(page)

    log_in(page, "supervisor1")
    page.goto(f"/audit?case={reference}")
    table = page.get_by_test_id("audit-events")
    expect(table).to_contain_text("Xem")  # actions, roles, purposes and agencies in Vietnamese
    expect(table).to_contain_text("Tạo mới")
    expect(table).to_contain_text("chuyển giao hồ sơ")
    expect(table).to_contain_text("Đồn Biên phòng")
    expect(table).to_contain_text("Cán bộ")
    for code in ("border-demo", "social-demo", "view", "transfer", "owning_agency", "border_guard"):
        expect(table).not_to_contain_text(code)
    border_rows = page.locator("[data-testid=audit-row]", has_text="border1")
    expect(border_rows.first).to_be_visible()
    expect(border_rows.locator("[data-flag=other_agency]")).to_have_count(0)  # the owner then
    health_view = page.locator("[data-testid=audit-row]", has_text="health1").filter(has_text="Xem")
    expect(health_view.locator("[data-flag=other_agency]")).to_have_count(1)
    screenshot("log")

    flagged = page.locator("[data-testid=audit-row]:has([data-flag=break_glass])").first
    seq = flagged.get_attribute("data-seq")
    flagged.get_by_text("Đánh dấu đã rà soát").first.click()
    flagged.locator("textarea[name=note]").fill("Đã gọi trạm y tế xác nhận: cấp cứu thật.")
    flagged.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("đã rà soát")
    reviewed = page.locator(f"[data-seq='{seq}'] [data-testid=reviewed]")
    expect(reviewed).to_contain_text("Đã gọi trạm y tế xác nhận: cấp cứu thật.")
    expect(reviewed).to_contain_text("supervisor1")
    screenshot("reviewed")
