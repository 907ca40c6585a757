"""supervisor1 opens the statistics, picks a quarter, sees tiles and a chart, downloads the periodic report
as XLSX and PDF, approves the quarter, and the confidentiality log shows the approval."""

import io
from pathlib import Path

import openpyxl
import pypdf
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.helpers import db_session
from victimcare.audit.models import AuditEvent
from victimcare.reports import periods

pytestmark = pytest.mark.e2e


def test_a_supervisor_reads_downloads_and_approves_a_quarter(page, live_app, screenshot):
    quarter = periods.containing(periods.PeriodKind.QUARTER, periods.local_today()).previous().previous()
    log_in(page, "supervisor1")
    if page.locator("html").get_attribute("lang") != "vi":
        page.get_by_test_id("language-switch").click()
    page.get_by_test_id("nav-reports").click()
    page.fill("#period", quarter.code)
    page.select_option("#scope", "province")
    page.get_by_role("button", name="Xem").click()
    expect(page.locator("h1")).to_contain_text(quarter.code)
    expect(page.get_by_test_id("tile-received")).to_be_visible()
    expect(page.get_by_test_id("chart-trend")).to_be_visible()
    expect(page.get_by_test_id("suppression-note")).to_be_visible()
    shown = page.get_by_test_id("tile-received").locator("[data-value]").get_attribute("data-value")
    screenshot("dashboard")

    page.fill("#recipient", "Ban Chỉ đạo 138 tỉnh Lào Cai")
    with page.expect_download() as xlsx_download:
        page.get_by_test_id("export").click()
    book = openpyxl.load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes()))
    totals = [row[1] for row in book["received"].iter_rows(values_only=True) if row and row[0] == "Tổng"]
    assert str(totals[0]) == shown  # the file holds the page's number

    page.goto(f"/reports?period={quarter.code}&scope=province")
    page.fill("#recipient", "Ban Chỉ đạo 138 tỉnh Lào Cai")
    page.select_option("#file_format", "pdf")
    with page.expect_download() as pdf_download:
        page.get_by_test_id("export").click()
    text = "".join(p.extract_text() for p in pypdf.PdfReader(pdf_download.value.path()).pages)
    assert "Báo cáo kết quả công tác phòng, chống mua bán người" in text

    page.goto(f"/reports?period={quarter.code}&scope=province")
    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("approval")).to_contain_text("Hoàng Minh Đức")
    expect(page.get_by_test_id("export-register")).to_contain_text("Ban Chỉ đạo 138 tỉnh Lào Cai")
    screenshot("approved")
    page.goto("/audit")
    expect(page.locator("main table").first).to_contain_text(
        "Phê duyệt số liệu báo cáo"
    )  # the log speaks labels, not codes
    with db_session(live_app) as session:
        approval = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "approve")).one()
        assert approval.actor_username == "supervisor1" and approval.detail["period"] == quarter.code
