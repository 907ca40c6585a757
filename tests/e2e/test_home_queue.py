"""Each role's home page is its work: police1, social1, supervisor1 and auditor1 log in, find the
demo data's items on their queue, and follow one to its page."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def _log_out(page):
    page.locator("form[action='/logout'] button").click()


def test_police1_finds_the_cases_they_carry_and_opens_one(page, screenshot):
    log_in(page, "police1")
    section = page.get_by_test_id("queue-my_cases")
    expect(section).to_be_visible()
    # The demo gives police1 cases past or near their stage's limit, and leaves one for them to take.
    expect(
        section.locator("[data-testid=count-my_overdue], [data-testid=count-my_due_soon]").first
    ).to_be_visible()
    expect(section.get_by_test_id("count-unassigned")).to_be_visible()
    expect(page.get_by_test_id("queue-referrals")).to_be_visible()
    screenshot("queue")
    item = section.locator("[data-testid=item-my_overdue], [data-testid=item-my_due_soon]").first
    reference = item.inner_text()
    item.click()
    expect(page).to_have_url(re.compile(rf"/cases/{reference}$"))
    expect(page.get_by_test_id("assigned-worker")).to_contain_text("Trần Văn Hùng")
    _log_out(page)


def test_social1_sees_referrals_and_support_falling_due_and_opens_a_case(page, screenshot):
    log_in(page, "social1")
    expect(page.get_by_test_id("count-referrals_waiting")).to_be_visible()  # border1's transfer, not answered
    support = page.get_by_test_id("queue-support")
    expect(support.get_by_test_id("count-support_due")).to_be_visible()  # lodging limits, late decisions
    expect(support.get_by_test_id("count-follow_ups_due")).to_be_visible()
    screenshot("queue")
    item = support.get_by_test_id("item-support_due").first
    reference = item.inner_text()
    item.click()
    expect(page).to_have_url(re.compile(rf"/cases/{reference}#support$"))
    expect(page.get_by_test_id("stage")).to_be_visible()
    page.goto("/")
    page.get_by_test_id("count-follow_ups_due").click()
    expect(page.get_by_test_id("only-mine")).to_be_visible()
    expect(page.get_by_test_id("follow-ups")).to_be_visible()
    _log_out(page)


def test_supervisor1_hands_out_an_unassigned_case_and_sees_the_caseload(page, screenshot):
    log_in(page, "supervisor1")
    expect(page.get_by_test_id("queue-approvals").get_by_test_id("count-erasures")).to_be_visible()
    expect(page.get_by_test_id("queue-review")).to_be_visible()
    team = page.get_by_test_id("queue-team")
    expect(team.get_by_test_id("count-unassigned")).to_be_visible()
    screenshot("queue")
    team.get_by_test_id("count-unassigned").click()
    expect(page.get_by_test_id("queue-filters")).to_be_visible()
    page.locator("table a[href^='/cases/VC-']").first.click()
    expect(page.get_by_test_id("unassigned")).to_be_visible()
    chooser = page.get_by_test_id("assignment").locator("select")
    chooser.select_option(chooser.locator("option", has_text="Nguyễn Thị Lan").get_attribute("value"))
    page.get_by_test_id("assign").click()
    expect(page.get_by_test_id("assigned-worker")).to_contain_text("Nguyễn Thị Lan")
    expect(page.get_by_test_id("assignment-step").last).to_contain_text("Nguyễn Thị Lan")
    page.goto("/cases/caseload")
    expect(page.get_by_test_id("caseload-row").filter(has_text="Nguyễn Thị Lan")).to_be_visible()
    screenshot("caseload")
    page.goto("/")
    page.get_by_test_id("item-erasures").first.click()
    expect(page).to_have_url(re.compile(r"/approvals$"))
    _log_out(page)


def test_auditor1_sees_the_unreviewed_flags_and_opens_the_log(page, screenshot):
    log_in(page, "auditor1", password="not the password")  # a refused login: the log flags it
    log_in(page, "auditor1")
    section = page.get_by_test_id("queue-review")
    expect(section.get_by_test_id("count-flags")).to_be_visible()
    screenshot("queue")
    section.get_by_test_id("count-flags").click()
    expect(page).to_have_url(re.compile(r"/audit$"))
    expect(page.locator("table")).to_be_visible()
    _log_out(page)
