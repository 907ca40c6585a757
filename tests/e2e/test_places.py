"""In a real browser, with the strict CSP: choosing a province offers that province's communes, and the
case page shows the names of the places picked (issue 16)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_the_communes_offered_follow_the_province_and_the_case_shows_names(page):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, "border1")
    if page.locator("html").get_attribute("lang") != "vi":
        page.get_by_test_id("language-switch").click()
    page.goto("/cases/new")
    expect(page.locator("#channel")).to_have_value("border_handover")  # a border post's usual channel
    page.fill("#received_at", "20/11/2026 08:30")
    page.fill("#full_name", "Sùng Thị Dợ")
    page.fill("#nationality", "Việt Nam")
    page.select_option("#province_code", "01")
    options = page.locator("#commune_code-options option")
    expect(options.first).to_be_attached()
    expect(page.locator('#commune_code-options option[value="Phường Hoàn Kiếm"]')).to_have_count(1)
    page.select_option("#province_code", "15")
    expect(page.locator('#commune_code-options option[value="Xã Bát Xát"]')).to_have_count(1)
    expect(page.locator('#commune_code-options option[value="Phường Hoàn Kiếm"]')).to_have_count(0)
    page.fill("#commune_code", "Xã Bát Xát")
    page.select_option("#trafficked_abroad", "yes")
    page.fill("#destination_country", "Trung Quốc")
    page.get_by_role("button", name="Mở hồ sơ").click()
    expect(page.get_by_test_id("full-name")).to_have_text("Sùng Thị Dợ")
    expect(page.get_by_test_id("destination-country")).to_have_text("Trung Quốc")
    expect(page.get_by_test_id("nationality")).to_have_text("Việt Nam")
    expect(page.get_by_test_id("commune")).to_have_text("Xã Bát Xát")
    expect(page.get_by_test_id("province")).to_have_text("Tỉnh Lào Cai")
    assert not [e for e in errors if "Content Security Policy" in e], errors
