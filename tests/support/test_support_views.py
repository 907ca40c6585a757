"""Support, protection, reintegration and medical care through the web: what each user is offered and may
record, the limits on a frozen clock, the closing checklist, stale saves and what stays sealed."""

import re
import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import add_case, add_consent, add_referral, db_session, post
from victimcare import working_days
from victimcare.accounts.models import User
from victimcare.audit.models import AuditEvent
from victimcare.cases import path
from victimcare.cases.models import Case
from victimcare.referrals import operations
from victimcare.referrals.models import Referral
from victimcare.support.models import FollowUp, ProtectionMeasure, ReintegrationPlan, SupportService
from workflows.support import SupportType, eligible_types
from workflows.victim_path import Stage


@pytest.fixture
def clock(monkeypatch):
    """``clock.set(date)`` freezes the day deadlines are counted in."""

    class Clock:
        day = date(2026, 8, 28)  # a Friday

        def set(self, day):
            self.day = day

    frozen = Clock()
    monkeypatch.setattr(working_days, "today", lambda: frozen.day)
    return frozen


@pytest.fixture
def holidays_app(app_factory, tmp_path):
    """An app whose holiday file (data) holds Vietnam's National Day holiday of 2026."""
    from tests.helpers import seed

    holiday_file = tmp_path / "holidays.csv"
    holiday_file.write_text("date,name\n2026-09-01,Quốc khánh\n2026-09-02,Quốc khánh\n", encoding="utf-8")
    app = app_factory(PUBLIC_HOLIDAYS_FILE=str(holiday_file))
    seed(app)
    return app


def _login(app, username):
    from tests.helpers import log_in

    client = app.test_client()
    assert log_in(client, username, "victimcare-demo").status_code == 302
    return client


def _case_at(app, agency="social-demo", stage=Stage.PROTECTION, identified=True, **victim):
    """A case of ``agency`` moved straight to ``stage`` (the path itself is tested elsewhere)."""
    reference = add_case(app, agency, **victim)
    with db_session(app) as session:
        case = session.scalar(sa.select(Case).where(Case.reference == reference))
        path.start_stage(case, stage)
        if identified:
            case.facts = {"confirmation_document": "victim_confirmation"}
        session.commit()
    return reference


def _case_id(app, reference):
    with db_session(app) as session:
        return session.scalar(sa.select(Case.id).where(Case.reference == reference))


def _version(page: str) -> str:
    return re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)


def _services(app, reference):
    with db_session(app) as session:
        rows = session.scalars(
            sa.select(SupportService).where(SupportService.case_id == _case_id(app, reference))
        )
        return [(s.support_type.value, s.status.value) for s in rows]


def _add(app, reference, *records):
    with db_session(app) as session:
        case = session.scalar(sa.select(Case).where(Case.reference == reference))
        for make in records:
            session.add(make(case))
        session.commit()


# -- eligibility -----------------------------------------------------------------------------------


def test_a_person_under_identification_is_offered_a_to_g_and_told_why_not_h_to_k(login_as, seeded):
    reference = _case_at(seeded, identified=False)
    social = login_as("social1")
    page = social.get(f"/cases/{reference}/support/new").text
    offered = re.findall(r'data-type="(\w+)" data-eligible="yes"', page)
    refused = re.findall(r'data-type="(\w+)" data-eligible="no"', page)
    assert offered == [
        "essential_needs",
        "medical",
        "interpretation",
        "legal_counselling",
        "legal_aid",
        "travel_home",
        "psychological",
    ]
    assert refused == ["schooling", "vocational", "hardship"]
    assert page.count("chỉ được hưởng các chế độ (a)–(g) cho đến khi được xác định") == 3
    assert 'value="schooling"' not in page  # not even in the select
    # A forged POST for a type the person may not receive is refused, and nothing is saved.
    response = post(
        social,
        f"/cases/{reference}/support/new",
        {"support_type": "schooling", "status": "planned", "applied_on": "20/08/2026"},
    )
    assert response.status_code == 400 and "Lựa chọn không hợp lệ." in response.text
    assert _services(seeded, reference) == []


def test_an_accompanying_child_is_offered_schooling_but_not_vocational_training(login_as, seeded):
    reference = _case_at(seeded)
    social = login_as("social1")
    assert (
        post(
            social,
            f"/cases/{reference}/people",
            {"role": "accompanying_child", "full_name": "Vàng Thị Mây", "gender": "Feminine"},
        ).status_code
        == 302
    )
    page = social.get(f"/cases/{reference}/support/new").text
    child_id = re.search(r'href="\?person=([0-9a-f-]+)">\s*Vàng Thị Mây', page).group(1)
    page = social.get(f"/cases/{reference}/support/new?person={child_id}").text
    assert "Người dưới 18 tuổi đi cùng nạn nhân" in page
    assert 'data-type="schooling" data-eligible="yes"' in page
    assert 'data-type="vocational" data-eligible="no"' in page
    assert (
        post(
            social,
            f"/cases/{reference}/support/new?person={child_id}",
            {"support_type": "schooling", "status": "planned", "applied_on": "20/08/2026"},
        ).status_code
        == 302
    )
    with db_session(seeded) as session:
        service = session.scalar(sa.select(SupportService))
        assert service.beneficiary == "accompanying_child" and str(service.person_id) == child_id


# -- limits on a frozen clock ------------------------------------------------------------------------


def test_a_schooling_decision_is_due_nine_working_days_after_the_application(holidays_app, clock):
    reference = _case_at(holidays_app)
    social = _login(holidays_app, "social1")
    clock.set(date(2026, 8, 28))  # Friday; Tuesday 1 and Wednesday 2 September are public holidays (data)
    assert (
        post(
            social,
            f"/cases/{reference}/support/new",
            {"support_type": "schooling", "status": "planned", "applied_on": "28/08/2026"},
        ).status_code
        == 302
    )
    page = social.get(f"/cases/{reference}").text
    assert re.search(
        r'Hạn quyết định 14/09/2026\s*<span class="badge text-bg-light" data-due="pending">', page
    )
    clock.set(date(2026, 9, 14))
    assert 'data-due="due_soon"' in social.get(f"/cases/{reference}").text
    clock.set(date(2026, 9, 15))
    page = social.get(f"/cases/{reference}").text
    assert 'data-due="overdue">Quá hạn' in page
    # The decision, once recorded, settles it.
    service_id = re.search(rf'/cases/{reference}/support/([0-9a-f-]+)"', page).group(1)
    edit = social.get(f"/cases/{reference}/support/{service_id}").text
    assert (
        post(
            social,
            f"/cases/{reference}/support/{service_id}",
            {
                "version": _version(edit),
                "support_type": "schooling",
                "status": "in_progress",
                "starts_on": "15/09/2026",
                "applied_on": "28/08/2026",
                "decided_on": "15/09/2026",
                "decision_reference": "77/QĐ-UBND",
            },
        ).status_code
        == 302
    )
    page = social.get(f"/cases/{reference}").text
    assert 'data-due="overdue"' not in page and 'data-due="met"' in page


def test_essential_needs_are_due_at_120_days_and_a_decision_extends_them(login_as, seeded, clock):
    reference = _case_at(seeded, stage=Stage.INITIAL_SUPPORT)
    social = login_as("social1")
    clock.set(date(2026, 8, 28))
    assert (
        post(
            social,
            f"/cases/{reference}/support/new",
            {
                "support_type": "essential_needs",
                "status": "in_progress",
                "starts_on": "01/05/2026",
                "amount_vnd": "3600000",
                "decision_reference": "12/QĐ-SYT",
                "decided_on": "01/05/2026",
            },
        ).status_code
        == 302
    )
    page = social.get(f"/cases/{reference}").text
    assert "Đến 28/08/2026" in page and 'data-due="due_soon"' in page  # day 120
    assert "3.600.000" in page or "3,600,000" in page
    clock.set(date(2026, 8, 29))
    page = social.get(f"/cases/{reference}").text
    assert 'data-due="overdue"' in page
    service_id = re.search(rf"/cases/{reference}/support/([0-9a-f-]+)/extend", page).group(1)
    url = f"/cases/{reference}/support/{service_id}/extend"
    refused = post(
        social, url, {"decided_on": "29/08/2026", "new_end_on": "20/08/2026", "decision_reference": "15/QĐ"}
    )
    assert refused.status_code == 400 and "phải sau thời hạn hiện tại (28/08/2026)" in refused.text
    assert (
        post(
            social,
            url,
            {"decided_on": "29/08/2026", "new_end_on": "30/10/2026", "decision_reference": "15/QĐ-SYT"},
        ).status_code
        == 302
    )
    page = social.get(f"/cases/{reference}").text
    assert "Đến 30/10/2026" in page and 'data-due="overdue"' not in page and 'data-due="pending"' in page


def test_bad_input_is_explained_in_vietnamese_and_nothing_is_saved(login_as, seeded, clock):
    reference = _case_at(seeded)
    social = login_as("social1")
    response = post(
        social,
        f"/cases/{reference}/support/new",
        {
            "support_type": "essential_needs",
            "status": "delivered",
            "ends_on": "01/08/2026",
            "amount_vnd": "-5",
        },
    )
    assert response.status_code == 400
    assert "Nhập ngày bắt đầu của hỗ trợ đang thực hiện hoặc đã thực hiện." in response.text
    assert "Nhập số tiền từ 0 đến 10 tỷ đồng." in response.text
    assert 'value="01/08/2026"' in response.text  # what was typed is kept
    response = post(
        social,
        f"/cases/{reference}/support/new",
        {
            "support_type": "essential_needs",
            "status": "planned",
            "starts_on": "10/08/2026",
            "ends_on": "01/08/2026",
        },
    )
    assert "Ngày kết thúc không thể trước ngày bắt đầu." in response.text
    assert _services(seeded, reference) == []


# -- the victim's path reads the records -------------------------------------------------------------


def _step(client, reference, trigger, data):
    url = f"/cases/{reference}/transition/{trigger}"
    page = client.get(url)
    assert page.status_code == 200, page.text
    return post(client, url, {"version": _version(page.text), **data}, token_page=url)


def test_reintegration_starts_only_once_essential_needs_are_decided(login_as, seeded, clock):
    reference = _case_at(seeded, stage=Stage.INITIAL_SUPPORT)
    social = login_as("social1")
    refused = _step(social, reference, "start_reintegration", {"residence": "family"})
    assert refused.status_code == 400
    assert "Chỉ chuyển sang tái hòa nhập khi hỗ trợ nhu cầu thiết yếu đã có quyết định" in refused.text
    assert 'data-item="essential_needs_decided" data-done="no"' in refused.text
    assert (
        post(
            social,
            f"/cases/{reference}/support/new",
            {
                "support_type": "essential_needs",
                "status": "in_progress",
                "starts_on": "01/08/2026",
                "decision_reference": "12/QĐ-SYT",
                "decided_on": "01/08/2026",
            },
        ).status_code
        == 302
    )
    assert _step(social, reference, "start_reintegration", {"residence": "family"}).status_code == 302
    with db_session(seeded) as session:
        assert session.scalar(sa.select(Case.stage).where(Case.reference == reference)) == Stage.REINTEGRATION


def test_a_supervisor_cannot_approve_closing_while_the_checklist_is_incomplete(login_as, seeded, clock):
    reference = _case_at(seeded, stage=Stage.REINTEGRATION)
    _add(
        seeded,
        reference,
        lambda c: SupportService(
            case=c,
            person_id=c.victim_id,
            beneficiary="victim",
            support_type="essential_needs",
            status="delivered",
            starts_on=date(2026, 1, 5),
            decision_reference="1/QĐ",
        ),
        lambda c: ProtectionMeasure(case=c, measure="address_secrecy", starts_on=date(2026, 1, 5)),
        lambda c: FollowUp(case=c, due_on=date(2026, 2, 5)),
    )
    assert 'data-trigger="close_case"' not in login_as("social1").get(f"/cases/{reference}").text
    supervisor = login_as("supervisor1")
    case_page = supervisor.get(f"/cases/{reference}").text
    assert 'data-item="support_considered" data-done="no"' in case_page  # shown before anyone tries
    refused = _step(supervisor, reference, "close_case", {})
    assert refused.status_code == 400
    for reason in (
        "Đóng hồ sơ cần xem xét mọi chế độ hỗ trợ người đó được hưởng",
        "Đóng hồ sơ cần mọi biện pháp bảo vệ đã kết thúc hoặc đã bàn giao",
        "Đóng hồ sơ cần đã thăm theo dõi tái hòa nhập, hoặc ghi lý do chưa thăm",
    ):
        assert reason in refused.text
    assert "(h), (i), (k)" in refused.text  # which types are still to consider
    with db_session(seeded) as session:
        assert session.scalar(sa.select(Case.stage).where(Case.reference == reference)) == Stage.REINTEGRATION
    # Everything considered and the measure ended; a visit not made is explained instead.
    rest = [t for t in eligible_types("victim", "2024") if t != SupportType.ESSENTIAL_NEEDS]
    _add(
        seeded,
        reference,
        *[
            (
                lambda t: (
                    lambda c: SupportService(
                        case=c,
                        person_id=c.victim_id,
                        beneficiary="victim",
                        support_type=t,  # noqa: B023 (bound by the outer lambda)
                        status="not_needed",
                    )
                )
            )(t)
            for t in rest
        ],
    )
    with db_session(seeded) as session:
        session.scalar(sa.select(ProtectionMeasure)).ended_on = date(2026, 8, 1)
        session.commit()
    assert _step(supervisor, reference, "close_case", {}).status_code == 400  # the visit is still open
    closed = _step(supervisor, reference, "close_case", {"follow_ups_reason": "Gia đình chuyển vào Nam"})
    assert closed.status_code == 302
    with db_session(seeded) as session:
        case = session.scalar(sa.select(Case).where(Case.reference == reference))
        assert case.stage == Stage.CLOSED and case.closure_reason == "reintegrated"
        assert case.events[-1].facts["support_considered"] is True
        assert case.events[-1].details == {"follow_ups_reason": "Gia đình chuyển vào Nam"}


# -- protection -------------------------------------------------------------------------------------


@pytest.fixture
def police_case_referred_to_health(seeded):
    reference = _case_at(seeded, "police-demo", full_name="Lò Thị Xuyến")
    consent = add_consent(seeded, reference)
    referral_id = add_referral(seeded, reference, "health-demo", consent_id=consent)
    with db_session(seeded) as session:
        referral = session.get(Referral, uuid.UUID(referral_id))
        operations.answer(
            referral, "accept", session.scalar(sa.select(User).where(User.username == "health1"))
        )
        session.commit()
    return reference


def test_the_protection_banner_shows_to_everyone_who_sees_the_case_but_not_the_threat(
    login_as, seeded, clock, police_case_referred_to_health
):
    reference = police_case_referred_to_health
    police = login_as("police1")
    refused = post(
        police,
        f"/cases/{reference}/protection/assessment",
        {"assessed_on": "20/08/2026", "level": "high", "at_risk": ["person"], "person_refused": "y"},
    )
    assert refused.status_code == 400 and "Việc từ chối cần có bản cam kết của người đó" in refused.text
    assert (
        post(
            police,
            f"/cases/{reference}/protection/assessment",
            {
                "assessed_on": "20/08/2026",
                "level": "high",
                "at_risk": ["person", "relatives"],
                "threat": "Kẻ môi giới tên Thào A Páo gọi điện đe dọa",
                "relatives": "Mẹ: Lò Thị Pằng",
                "closed_trial_requested": "y",
            },
        ).status_code
        == 302
    )
    assert (
        post(
            police,
            f"/cases/{reference}/protection/measures/new",
            {
                "measure": "address_secrecy",
                "deciding_agency_id": _agency_id(seeded, "police-demo"),
                "starts_on": "20/08/2026",
            },
        ).status_code
        == 302
    )
    for username in ("police1", "health1", "supervisor1"):
        page = login_as(username).get(f"/cases/{reference}").text
        assert 'data-testid="protection-banner"' in page, username
        assert "Không được tiết lộ địa chỉ (nơi ở, nơi làm việc, trường học)." in page
        assert "Người này đã đề nghị xét xử kín." in page
    assert "Thào A Páo" in login_as("police1").get(f"/cases/{reference}").text
    health_page = login_as("health1").get(f"/cases/{reference}").text
    assert "Thào A Páo" not in health_page and "Lò Thị Pằng" not in health_page
    assert login_as("border1").get(f"/cases/{reference}").status_code == 404
    # Sealed at rest: neither the threat nor the relative is in the database in clear.
    with db_session(seeded) as session:
        raw = b"".join(session.execute(sa.text("SELECT threat, relatives FROM risk_assessments")).one())
        assert "Thào A Páo".encode() not in raw and "Pằng".encode() not in raw


def _agency_id(app, code):
    from victimcare.accounts.models import Agency

    with db_session(app) as session:
        return str(session.scalar(sa.select(Agency.id).where(Agency.code == code)))


def test_ending_a_measure_needs_a_day_or_an_agency_and_takes_it_off_the_banner(login_as, seeded, clock):
    reference = _case_at(seeded)
    _add(
        seeded,
        reference,
        lambda c: ProtectionMeasure(case=c, measure="safe_shelter", starts_on=date(2026, 8, 1)),
    )
    social = login_as("social1")
    assert "never disclose where" not in social.get(f"/cases/{reference}").text  # Vietnamese UI
    assert "tuyệt đối không tiết lộ địa điểm" in social.get(f"/cases/{reference}").text
    with db_session(seeded) as session:
        measure_id = session.scalar(sa.select(ProtectionMeasure.id))
    url = f"/cases/{reference}/protection/measures/{measure_id}/end"
    page = social.get(url).text
    response = post(social, url, {"version": _version(page)})
    assert (
        response.status_code == 400
        and "Nhập ngày kết thúc biện pháp, hoặc cơ quan được bàn giao." in response.text
    )
    assert post(social, url, {"version": _version(page), "ended_on": "27/08/2026"}).status_code == 302
    assert 'data-testid="protection-banner"' not in social.get(f"/cases/{reference}").text


# -- health's part ------------------------------------------------------------------------------------


def test_health_records_care_on_a_referred_case_and_only_medical_readers_see_the_notes(
    login_as, seeded, clock, police_case_referred_to_health
):
    reference = police_case_referred_to_health
    health = login_as("health1")
    page = health.get(f"/cases/{reference}/medical/new").text
    assert re.findall(
        r'<option[^>]*value="(\w+)"', page.split('id="support_type"')[1].split("</select>")[0]
    ) == ["medical", "psychological"]
    assert (
        post(
            health,
            f"/cases/{reference}/medical/new",
            {
                "support_type": "psychological",
                "status": "delivered",
                "starts_on": "27/08/2026",
                "medical_notes": "Rối loạn giấc ngủ sau sang chấn; hẹn tái khám",
            },
        ).status_code
        == 302
    )
    assert "Rối loạn giấc ngủ sau sang chấn" in health.get(f"/cases/{reference}").text
    # The police owner's officers read no medical group; health records no other support.
    assert "Rối loạn giấc ngủ" not in login_as("police1").get(f"/cases/{reference}").text
    assert health.get(f"/cases/{reference}/support/new").status_code == 403
    assert login_as("police1").get(f"/cases/{reference}/medical/new").status_code == 403
    with db_session(seeded) as session:
        raw = session.execute(sa.text("SELECT medical_notes FROM support_services")).scalar_one()
        assert "giấc ngủ".encode() not in raw
        event = session.scalars(
            sa.select(AuditEvent).where(AuditEvent.object_type == "support_service")
        ).one()
        assert event.action == "create" and event.fields == ["medical"] and event.actor_username == "health1"
        assert "giấc ngủ" not in str(event.detail)


def test_a_supervisor_without_the_medical_group_neither_sees_nor_reaches_psychological_care(login_as, seeded):
    """The record's type decides its group: no support page, list or form opens medical care to others."""
    reference = _case_at(
        seeded
    )  # owned by social-demo: social1 (case worker) reads medical, supervisor1 does not
    social = login_as("social1")
    assert (
        post(
            social,
            f"/cases/{reference}/medical/new",
            {
                "support_type": "psychological",
                "status": "delivered",
                "starts_on": "27/08/2026",
                "medical_notes": "Ác mộng mỗi đêm",
            },
        ).status_code
        == 302
    )
    with db_session(seeded) as session:
        service_id = session.scalar(sa.select(SupportService.id))
        sealed_before = session.execute(sa.text("SELECT medical_notes FROM support_services")).scalar_one()
    supervisor = login_as("supervisor1")
    page = supervisor.get(f"/cases/{reference}").text
    assert 'data-type="psychological"' not in page and "Ác mộng" not in page and str(service_id) not in page
    assert supervisor.get(f"/cases/{reference}/support/{service_id}").status_code == 403
    response = post(
        supervisor,
        f"/cases/{reference}/support/{service_id}",
        {"support_type": "psychological", "status": "stopped", "notes": "x", "version": "1"},
    )
    assert response.status_code == 403
    # Nor through the support form: a forged psychological row is refused and nothing is added.
    response = post(
        supervisor, f"/cases/{reference}/support/new", {"support_type": "psychological", "status": "planned"}
    )
    assert response.status_code == 400
    with db_session(seeded) as session:
        assert session.execute(sa.text("SELECT status, medical_notes FROM support_services")).all() == [
            ("delivered", sealed_before)
        ]
    assert "Ác mộng" in social.get(f"/cases/{reference}").text  # the medical reader still sees it


def test_a_health_worker_cannot_record_care_on_a_case_not_referred_to_health(login_as, seeded):
    reference = _case_at(seeded, "police-demo")
    assert login_as("health1").get(f"/cases/{reference}/medical/new").status_code == 404


# -- stale saves ------------------------------------------------------------------------------------


def test_a_stale_save_of_a_service_is_refused_and_keeps_both_the_first_save_and_the_input(
    login_as, seeded, clock
):
    reference = _case_at(seeded)
    _add(
        seeded,
        reference,
        lambda c: SupportService(
            case=c, person_id=c.victim_id, beneficiary="victim", support_type="legal_aid", status="planned"
        ),
    )
    with db_session(seeded) as session:
        service_id = session.scalar(sa.select(SupportService.id))
    url = f"/cases/{reference}/support/{service_id}"
    first, second = login_as("social1"), login_as("supervisor1")
    first_form, second_form = first.get(url).text, second.get(url).text
    assert (
        post(
            first,
            url,
            {
                "version": _version(first_form),
                "support_type": "legal_aid",
                "status": "delivered",
                "starts_on": "20/08/2026",
            },
        ).status_code
        == 302
    )
    stale = post(
        second,
        url,
        {
            "version": _version(second_form),
            "support_type": "legal_aid",
            "status": "stopped",
            "notes": "Trung tâm trợ giúp pháp lý đã nhận",
        },
    )
    assert stale.status_code == 409
    assert "Người khác đã lưu bản ghi này trong lúc bạn đang sửa" in stale.text
    assert "Trung tâm trợ giúp pháp lý đã nhận" in stale.text
    assert _services(seeded, reference) == [("legal_aid", "delivered")]


# -- reintegration ----------------------------------------------------------------------------------


def test_a_plan_schedules_follow_ups_and_overdue_ones_are_listed_for_the_agency(login_as, seeded, clock):
    reference = _case_at(seeded, stage=Stage.REINTEGRATION)
    social = login_as("social1")
    clock.set(date(2026, 8, 28))
    empty = post(social, f"/cases/{reference}/reintegration", {"starts_on": "01/06/2026"})
    assert empty.status_code == 400 and "Ghi ít nhất một mục tiêu của kế hoạch." in empty.text
    assert (
        post(
            social,
            f"/cases/{reference}/reintegration",
            {"starts_on": "01/06/2026", "housing": "Về ở với bà ngoại", "work": "Học nghề may"},
        ).status_code
        == 302
    )
    with db_session(seeded) as session:
        assert [f.due_on for f in session.scalars(sa.select(FollowUp).order_by(FollowUp.due_on))] == [
            date(2026, 7, 1),
            date(2026, 9, 1),
            date(2026, 12, 1),
            date(2027, 6, 1),
        ]
        raw = session.execute(sa.text("SELECT goals FROM reintegration_plans")).scalar_one()
        assert "bà ngoại".encode() not in raw
    page = social.get(f"/cases/{reference}").text
    assert re.search(r"Lần thăm theo dõi tiếp theo: 01/07/2026\s*<span[^>]*data-due=\"overdue\"", page)
    listed = social.get("/follow-ups").text
    assert listed.count(reference) >= 1
    assert re.findall(r'data-overdue="(\w+)"', listed) == [
        "yes",
        "no",
    ]  # 1 July overdue, 1 September within two weeks
    assert reference not in login_as("border1").get("/follow-ups").text
    # Recording the visit moves the next date on.
    with db_session(seeded) as session:
        first = session.scalar(sa.select(FollowUp).order_by(FollowUp.due_on))
        url = f"/cases/{reference}/follow-ups/{first.id}"
    form = social.get(url).text
    assert (
        post(
            social,
            url,
            {
                "version": _version(form),
                "done_on": "02/07/2026",
                "outcome": "on_track",
                "re_trafficking_risk": "low",
            },
        ).status_code
        == 302
    )
    assert "Lần thăm theo dõi tiếp theo: 01/09/2026" in social.get(f"/cases/{reference}").text
    future = post(
        social,
        url,
        {
            "version": _version(social.get(url).text),
            "done_on": "02/07/2030",
            "outcome": "on_track",
            "re_trafficking_risk": "low",
        },
    )
    assert future.status_code == 400 and "Ngày này không thể ở tương lai." in future.text


def test_a_second_plan_edit_from_a_stale_page_is_refused(login_as, seeded, clock):
    reference = _case_at(seeded, stage=Stage.REINTEGRATION)
    _add(
        seeded,
        reference,
        lambda c: ReintegrationPlan(case=c, starts_on=date(2026, 6, 1), goals={"family": "A"}),
    )
    first, second = login_as("social1"), login_as("supervisor1")
    url = f"/cases/{reference}/reintegration"
    a, b = first.get(url).text, second.get(url).text
    assert (
        post(first, url, {"version": _version(a), "starts_on": "01/06/2026", "family": "Đoàn tụ"}).status_code
        == 302
    )
    stale = post(second, url, {"version": _version(b), "starts_on": "01/06/2026", "family": "Ở nhà tạm lánh"})
    assert stale.status_code == 409 and "Ở nhà tạm lánh" in stale.text
    with db_session(seeded) as session:
        assert session.scalar(sa.select(ReintegrationPlan)).goals["family"] == "Đoàn tụ"


def test_a_supervisor_elsewhere_in_the_province_reads_support_but_records_none(login_as, seeded):
    reference = _case_at(seeded, "police-demo")
    supervisor = login_as("supervisor1")
    assert supervisor.get(f"/cases/{reference}").status_code == 200
    assert 'data-testid="add-support"' not in supervisor.get(f"/cases/{reference}").text
    assert supervisor.get(f"/cases/{reference}/support/new").status_code == 403


def test_dates_far_ahead_are_caught(login_as, seeded, clock):
    reference = _case_at(seeded)
    response = post(
        login_as("social1"),
        f"/cases/{reference}/support/new",
        {
            "support_type": "legal_aid",
            "status": "planned",
            "starts_on": (clock.day + timedelta(days=800)).strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 400 and "kiểm tra lại năm" in response.text


def test_a_person_marked_abroad_is_offered_only_a_to_d_while_under_identification(login_as, seeded):
    reference = _case_at(seeded, identified=False)
    social = login_as("social1")
    form = social.get(f"/cases/{reference}/edit/facts").text
    assert (
        post(
            social,
            f"/cases/{reference}/edit/facts",
            {"version": _version(form), "person_abroad": "y", "trafficked_abroad": "yes"},
        ).status_code
        == 302
    )
    assert 'data-testid="person-abroad"' in social.get(f"/cases/{reference}").text
    page = social.get(f"/cases/{reference}/support/new").text
    assert "Người đang trong quá trình xác định là nạn nhân, ở nước ngoài" in page
    assert re.findall(r'data-type="(\w+)" data-eligible="yes"', page) == [
        "essential_needs",
        "medical",
        "interpretation",
        "legal_counselling",
    ]


def test_erasing_the_person_erases_their_support_records_and_keeps_the_coded_facts(login_as, seeded, clock):
    reference = _case_at(seeded, stage=Stage.REINTEGRATION)
    social = login_as("social1")
    assert (
        post(
            social,
            f"/cases/{reference}/support/new",
            {
                "support_type": "essential_needs",
                "status": "delivered",
                "starts_on": "01/05/2026",
                "decision_reference": "88/QĐ-Bí-Mật",
                "notes": "Ở nhà tạm lánh Hòa Bình",
            },
        ).status_code
        == 302
    )
    assert (
        post(
            social,
            f"/cases/{reference}/reintegration",
            {"starts_on": "01/06/2026", "family": "Về với chị gái Lò Thị Nhung"},
        ).status_code
        == 302
    )
    result = seeded.test_cli_runner().invoke(
        args=["cases", "erase", reference, "--reason", "person_request", "--yes"]
    )
    assert result.exit_code == 0, result.output
    page = login_as("supervisor1").get(f"/cases/{reference}")
    assert page.status_code == 200
    for secret in ("88/QĐ-Bí-Mật", "Hòa Bình", "Lò Thị Nhung"):
        assert secret not in page.text
    assert (
        "(a) Nhu cầu thiết yếu" in page.text and "Đã thực hiện" in page.text
    )  # counts for statistics remain


def test_the_medical_care_form_asks_nothing_about_money_or_applications(login_as, seeded, clock):
    """Issue 16: care is given, not paid out or applied for; other support still asks for both."""
    reference = _case_at(seeded)
    social = login_as("social1")
    medical = social.get(f"/cases/{reference}/medical/new").text
    for name in ("amount_vnd", "applied_on", "decision_reference", "decided_on"):
        assert f'name="{name}"' not in medical, name
        assert f'name="{name}"' in social.get(f"/cases/{reference}/support/new").text, name
    assert 'name="medical_notes"' in medical
    response = post(
        social,
        f"/cases/{reference}/medical/new",
        {
            "support_type": "medical",
            "status": "delivered",
            "starts_on": "27/08/2026",
            "amount_vnd": "5000000",
        },
    )
    assert response.status_code == 302
    with db_session(seeded) as session:
        service = session.scalars(sa.select(SupportService)).one()
        assert service.support_type == "medical" and service.amount_vnd is None and service.applied_on is None
