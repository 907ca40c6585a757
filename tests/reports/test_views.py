"""The dashboard, exports and approvals as their readers meet them: scope, protection, the log."""

import html
import io
import re

import openpyxl
import pypdf
import pytest
import sqlalchemy as sa

from tests.helpers import add_case, db_session, give_authenticator, log_in
from victimcare.audit.models import AuditEvent
from victimcare.reports.models import ReportApproval, ReportExport


def _client(app, username):
    client = app.test_client()
    assert log_in(client, username, "victimcare-demo").status_code == 302
    return client


def _token(client, page="/reports"):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(page).text).group(1)


def _tile(page: str, code: str) -> str:
    return re.search(rf'data-testid="tile-{code}".*?data-value="([^"]*)"', page, re.S).group(1)


@pytest.fixture
def cases(seeded):
    """Three intakes at police-demo and twelve at social-demo this quarter (same province, Lào Cai)."""
    for _ in range(3):
        add_case(seeded, "police-demo")
    for _ in range(12):
        add_case(seeded, "social-demo")
    return seeded


def test_a_supervisor_reads_their_agency_exactly_and_the_province_with_small_cells_protected(cases):
    supervisor = _client(cases, "supervisor1")  # social-demo
    own = supervisor.get("/reports?scope=agency&indicator=received").text
    assert _tile(own, "received") == "12" and 'data-testid="suppression-note"' not in own
    province = supervisor.get("/reports?scope=province&indicator=received").text
    assert _tile(province, "received") == "15" and 'data-testid="suppression-note"' in province
    agencies = re.search(r'data-testid="table-agency">(.*?)</table>', province, re.S).group(1)
    assert 'data-value="&lt;10"' in agencies  # police-demo's 3, and social-demo's 12 with it
    assert 'data-value="3"' not in agencies and 'data-value="12"' not in agencies


def test_the_steering_committee_sees_protected_province_figures_and_opens_no_case(cases):
    steering = _client(cases, "steering1")
    page = steering.get("/reports?indicator=received").text
    assert _tile(page, "received") == "15" and 'data-testid="suppression-note"' in page
    assert 'name="scope"' in page and 'value="agency"' not in page  # no exact scope offered
    assert (
        steering.get("/reports?scope=agency").status_code == 200
    )  # a forged scope falls back to the province
    assert 'data-testid="suppression-note"' in steering.get("/reports?scope=agency").text
    assert steering.get("/cases").status_code == 403 and steering.get("/audit").status_code == 403


def test_a_supervisor_of_another_province_sees_none_of_this_provinces_figures(cases):
    from victimcare.accounts import operations as accounts
    from victimcare.accounts.models import Agency

    with db_session(cases) as session:
        agency = Agency(code="social-hg", name="Sở Y tế Hà Giang", kind="social_affairs", province_code="02")
        session.add(agency)
        session.flush()
        accounts.create_user(
            username="supervisor-hg",
            display_name="Giám sát",
            agency=agency,
            role="supervisor",
            password="victimcare-demo",
            must_change_password=False,
            check_policy=False,
        )
        session.commit()
    give_authenticator(cases, "supervisor-hg")
    page = _client(cases, "supervisor-hg").get("/reports?scope=province&indicator=received").text
    assert _tile(page, "received") == "0"


def test_a_bad_period_says_so_and_shows_the_current_quarter(cases):
    response = _client(cases, "supervisor1").get("/reports?period=2026-Q9")
    assert response.status_code == 400 and 'data-testid="report-errors"' in response.text


def test_the_xlsx_and_pdf_hold_the_pages_numbers_protected_and_are_registered_and_logged(cases):
    supervisor = _client(cases, "supervisor1")
    page = supervisor.get("/reports?scope=province&indicator=received").text
    form = {
        "csrf_token": _token(supervisor),
        "period": re.search(r'id="period" name="period" value="([^"]+)"', page).group(1),
        "scope": "province",
        "recipient": "Ban Chỉ đạo 138 tỉnh Lào Cai",
    }
    xlsx = supervisor.post("/reports/export", data={**form, "file_format": "xlsx"})
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    sheet = book["received"]
    values = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert values["Tổng"] == 15 and isinstance(values["Tổng"], int)  # numbers as numbers
    assert sheet.freeze_panes == "A3"
    pdf = supervisor.post("/reports/export", data={**form, "file_format": "pdf"})
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.data)).pages)
    assert (
        "Báo cáo kết quả công tác phòng, chống mua bán người" in text and "được xác định là nạn nhân" in text
    )  # Vietnamese, with its diacritics
    assert "<10" in text
    with db_session(cases) as session:
        exports = session.scalars(sa.select(ReportExport).order_by(ReportExport.exported_at)).all()
        assert [(e.file_format, e.recipient) for e in exports] == [
            ("xlsx", "Ban Chỉ đạo 138 tỉnh Lào Cai"),
            ("pdf", "Ban Chỉ đạo 138 tỉnh Lào Cai"),
        ]
        logged = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export")).all()
        assert [e.detail["format"] for e in logged] == ["xlsx", "pdf"] and logged[0].detail[
            "scope"
        ] == "province:15"
    refused = supervisor.post("/reports/export", data={**form, "file_format": "xlsx", "recipient": ""})
    assert refused.status_code == 400


def test_approval_freezes_the_figures_and_a_later_change_is_shown(cases):
    supervisor = _client(cases, "supervisor1")
    token = _token(supervisor)
    assert (
        supervisor.post(
            "/reports/approve", data={"csrf_token": token, "period": "2026-07", "scope": "agency"}
        ).status_code
        == 302
    )
    with db_session(cases) as session:
        approval = session.scalars(sa.select(ReportApproval)).one()
        event = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "approve")).one()
        assert event.detail == {"period": "2026-07", "scope": "agency:social-demo", "sha256": approval.sha256}
    page = supervisor.get("/reports?period=2026-07&scope=agency").text
    assert 'data-testid="approval"' in page and 'data-testid="changed-since-approval"' not in page
    from datetime import UTC, datetime

    from victimcare.cases.models import Case

    with db_session(cases) as session:  # a case found later to have been received in July
        case = session.scalars(
            sa.select(Case).join(Case.owning_agency).where(sa.text("agencies.code = 'social-demo'"))
        ).first()
        case.received_at = datetime(2026, 7, 15, 3, 0, tzinfo=UTC)
        session.commit()
    page = supervisor.get("/reports?period=2026-07&scope=agency").text
    assert 'data-testid="changed-since-approval"' in page and "0 → 1" in page
    # The current period cannot be approved before it ends; the steering committee approves nothing.
    assert (
        supervisor.post(
            "/reports/approve", data={"csrf_token": token, "period": "2099", "scope": "agency"}
        ).status_code
        == 400
    )
    steering = _client(cases, "steering1")
    assert (
        steering.post(
            "/reports/approve",
            data={"csrf_token": _token(steering), "period": "2026-07", "scope": "province"},
        ).status_code
        == 403
    )


def test_every_view_of_the_dashboard_is_logged_with_its_parameters(cases):
    _client(cases, "steering1").get("/reports?period=2026-S1&indicator=support")
    with db_session(cases) as session:
        event = session.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == "report")).one()
        assert event.action == "view" and event.actor_username == "steering1"
        assert event.detail == {
            "period": "2026-S1",
            "scope": "province:15",
            "indicator": "support",
            "protected": True,
        }


def test_rows_are_named_in_the_readers_language(app):
    from victimcare.reports.views import value_label

    with app.test_request_context():
        assert value_label("province", "15", {}) == "Tỉnh Lào Cai"
        assert value_label("destination", "CN", {}) == "Trung Quốc"
        assert value_label("agency", "police-demo", {"police-demo": "Công an tỉnh"}) == "Công an tỉnh"
        assert value_label("age_band", "under_12", {}) == "Dưới 12 tuổi"
        assert value_label("channel", "hotline_111", {}).startswith("Cuộc gọi")


def _page_tables(page: str) -> list[list[str]]:
    """Every breakdown table's shown counts, in page order (the trend by month left out)."""
    found = []
    for by, body in re.findall(r'data-testid="table-([a-z_]+)">(.*?)</table>', page, re.S):
        if by != "trend":
            found.append(
                [html.unescape(v) for v in re.findall(r'<td class="text-end" data-value="([^"]*)"', body)]
            )
    return found


def _sheet_tables(sheet) -> list[list[str]]:
    """Each table of an indicator's sheet: its counts, up to the total row that closes it."""
    found, current = [], []
    for row in sheet.iter_rows(min_row=3, values_only=True):
        if row and row[0] == "Tổng":
            found.append(current)
            current = []
        elif row and len(row) > 1 and row[1] is not None:
            current.append(str(row[1]))
    return found


@pytest.mark.parametrize("indicator", ["received", "open_at_end", "overdue_at_end", "referrals"])
def test_the_workbook_holds_the_numbers_the_page_shows_for_every_new_indicator(cases, indicator):
    supervisor = _client(cases, "supervisor1")
    page = supervisor.get(f"/reports?scope=province&indicator={indicator}").text
    form = {
        "csrf_token": _token(supervisor),
        "period": re.search(r'id="period" name="period" value="([^"]+)"', page).group(1),
        "scope": "province",
        "recipient": "Ban Chỉ đạo 138 tỉnh Lào Cai",
        "file_format": "xlsx",
    }
    book = openpyxl.load_workbook(io.BytesIO(supervisor.post("/reports/export", data=form).data))
    assert len(book.sheetnames) == 1 + 18  # a title sheet, then one per indicator
    assert _sheet_tables(book[indicator]) == _page_tables(page)


def test_a_snapshot_is_read_at_the_periods_end_and_its_trend_has_no_total(cases):
    page = _client(cases, "supervisor1").get("/reports?scope=agency&indicator=open_at_end").text
    assert 'data-testid="snapshot-note"' in page
    assert _tile(page, "open_at_end") == "12"  # the twelve intakes are still open
    trend = re.search(r'data-testid="table-trend">(.*?)</table>', page, re.S).group(1)
    assert "<tfoot>" not in trend  # stocks at each month's end do not add up
    stages = re.search(r'data-testid="table-stage">(.*?)</table>', page, re.S).group(1)
    assert re.search(r'data-key="intake">.*?data-value="12"', stages, re.S)


def test_the_median_answer_time_is_hidden_outside_the_agency_when_few_answers_back_it(cases):
    page = _client(cases, "steering1").get("/reports?indicator=referral_answers").text
    assert re.search(r'data-testid="median-referral_answers">[^<]*: —', page)


def test_route_rows_are_named_by_both_agency_kinds(app):
    from victimcare.reports.views import value_label

    with app.test_request_context():
        assert value_label("route", "police>social_affairs", {}).startswith("từ Công an")
