"""The case page and its steps through the web: who sees which buttons, facts asked, reasons shown."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import add_case, db_session, detached, fire_step, post
from victimcare.cases.models import Case, StageEvent
from victimcare.database import utcnow


def test_police_take_a_case_from_intake_to_protection(login_as, seeded):
    reference = add_case(seeded, "police-demo", full_name="Lò Thị Xuyến")
    police = login_as("police1")
    page = police.get(f"/cases/{reference}").text
    assert 'data-trigger="start_verification"' in page and 'data-trigger="close_case"' not in page
    assert (
        fire_step(
            police,
            reference,
            "start_verification",
            {
                "channel": "hotline_111",
                "received_at": "20/11/2026 08:30",
                "notified_social_affairs_at": "20/11/2026 09:00",
            },
        ).status_code
        == 302
    )
    assert (
        fire_step(
            police,
            reference,
            "request_identification",
            {"evidence": ["b", "e"], "evidence_note": "BB 12/2026"},
        ).status_code
        == 302
    )
    assert (
        fire_step(
            police,
            reference,
            "confirm_safe",
            {
                "confirmation_document": "victim_confirmation",
                "confirmation_number": "45/XN-CAT",
                "confirmation_issuer": "Công an tỉnh Lào Cai",
                "confirmation_date": "21/11/2026",
            },
        ).status_code
        == 302
    )
    case = detached(seeded, Case, reference=reference)
    assert case.stage == "protection" and case.stage_deadline is not None
    page = police.get(f"/cases/{reference}").text
    assert 'aria-current="step" data-stage="protection"' in page
    assert "(b) từ cơ quan giải cứu" in page  # the history shows the coded facts
    assert "45/XN-CAT" in page  # sealed, and shown to the police, who read the investigation group
    with db_session(seeded) as session:
        events = session.scalars(sa.select(StageEvent).order_by(StageEvent.created_at)).all()
        assert [e.to_stage for e in events] == ["verification", "identification", "protection"]
        assert events[2].details == {
            "confirmation_number": "45/XN-CAT",
            "confirmation_issuer": "Công an tỉnh Lào Cai",
        }
        raw = session.execute(
            sa.text("SELECT details FROM stage_events WHERE trigger = 'confirm_safe'")
        ).scalar_one()
        assert b"45/XN" not in raw


def test_missing_facts_are_explained_and_nothing_changes(login_as, seeded):
    reference = add_case(seeded, "police-demo")
    response = fire_step(
        login_as("police1"),
        reference,
        "start_verification",
        {"channel": "hotline_111", "received_at": "20/11/2026 08:30"},
    )
    assert response.status_code == 400
    assert "Ghi thời điểm đã thông báo cho cơ quan công tác xã hội" in response.text
    assert detached(seeded, Case, reference=reference).stage == "intake"


def test_a_step_from_the_wrong_stage_is_refused_with_a_reason(login_as, seeded):
    reference = add_case(seeded, "police-demo")
    response = fire_step(
        login_as("police1"),
        reference,
        "complete_rescue",
        {"rescue_date": "20/11/2026", "rescue_place": "domestic", "rescue_outcome": "rescued"},
    )
    assert response.status_code == 400
    assert "Không thể thực hiện bước này ở giai đoạn hiện tại" in response.text


def test_the_wrong_role_sees_no_button_and_cannot_post(login_as, seeded):
    reference = add_case(seeded, "social-demo")
    supervisor = login_as("supervisor1")  # same agency, but intake is done by officers and case workers too
    page = supervisor.get(f"/cases/{reference}").text
    assert 'data-trigger="start_verification"' in page  # supervisors act in their own agency
    police_case = add_case(seeded, "police-demo")
    assert "data-trigger" not in supervisor.get(f"/cases/{police_case}").text  # sees, cannot act
    assert supervisor.get(f"/cases/{police_case}/transition/start_verification").status_code == 403


def test_another_agency_cannot_open_the_case_or_its_steps(login_as, seeded):
    reference = add_case(seeded, "police-demo")
    health = login_as("health1")
    assert health.get(f"/cases/{reference}").status_code == 404
    assert health.get(f"/cases/{reference}/transition/start_verification").status_code == 404
    assert health.get(f"/cases/{reference}/edit/person").status_code == 404


def test_admin_opens_no_case_page(login_as, seeded):
    reference = add_case(seeded, "social-demo")
    admin = login_as("admin1")
    for url in ("/cases", f"/cases/{reference}", f"/cases/{reference}/workflow", "/cases/new"):
        assert admin.get(url).status_code == 403


def test_an_overdue_case_shows_as_overdue_in_the_case_and_the_list(login_as, seeded):
    reference = add_case(seeded, "police-demo", full_name="Quá Hạn")
    on_time = add_case(seeded, "police-demo", full_name="Đúng Hạn")
    with db_session(seeded) as session:
        case = session.scalar(sa.select(Case).where(Case.reference == reference))
        case.stage_deadline = utcnow() - timedelta(hours=2)
        session.commit()
    police = login_as("police1")
    assert 'data-testid="overdue"' in police.get(f"/cases/{reference}").text
    assert 'data-testid="overdue"' not in police.get(f"/cases/{on_time}").text
    listed = police.get("/cases?overdue=1").text
    assert reference in listed and on_time not in listed
    result = seeded.test_cli_runner().invoke(args=["cases", "overdue"])
    assert result.exit_code == 0 and "police-demo:" in result.output and reference in result.output
    assert on_time not in result.output and "Quá Hạn" not in result.output


def test_the_list_filters_by_stage_and_sorts_by_deadline(login_as, seeded):
    first = add_case(seeded, "police-demo")
    second = add_case(seeded, "police-demo")
    with db_session(seeded) as session:
        a = session.scalar(sa.select(Case).where(Case.reference == first))
        b = session.scalar(sa.select(Case).where(Case.reference == second))
        a.stage, a.stage_deadline = "verification", utcnow() + timedelta(days=2)
        b.stage_deadline = utcnow() + timedelta(hours=1)
        session.commit()
    police = login_as("police1")
    only_verification = police.get("/cases?stage=verification").text
    assert first in only_verification and second not in only_verification
    by_deadline = police.get("/cases?sort=deadline").text
    assert by_deadline.index(second) < by_deadline.index(first)


def test_break_glass_opens_one_case_for_an_hour_with_a_reason(login_as, seeded):
    reference = add_case(seeded, "police-demo", full_name="Khẩn Cấp", phone="0912000999")
    health = login_as("health1")
    assert health.get(f"/cases/{reference}").status_code == 404
    short = post(health, f"/cases/{reference}/break-glass", {"reason": "cần gấp"})
    assert short.status_code == 400
    granted = post(
        health,
        f"/cases/{reference}/break-glass",
        {"reason": "Người bệnh bất tỉnh tại trạm y tế, cần liên hệ người thân ngay"},
    )
    assert granted.status_code == 302
    page = health.get(f"/cases/{reference}").text
    assert 'data-testid="break-glass-banner"' in page and "Khẩn Cấp" in page
    assert "0912000999" not in page and "+84912000999" not in page  # health sees identity, not contact
    assert "data-trigger" not in page  # emergency access reads, it does not act
    assert reference in health.get("/cases").text  # the list shows the case while the grant runs
    from victimcare.cases.models import BreakGlassGrant

    with db_session(seeded) as session:
        grant = session.scalar(sa.select(BreakGlassGrant))
        assert (
            "bất tỉnh".encode()
            not in session.execute(sa.text("SELECT reason FROM break_glass_grants")).scalar_one()
        )
        grant.expires_at = utcnow() - timedelta(seconds=1)
        session.commit()
    assert health.get(f"/cases/{reference}").status_code == 404
    assert reference not in health.get("/cases").text


def test_break_glass_answers_alike_for_unknown_references(login_as, seeded):
    response = post(
        login_as("health1"),
        "/cases/VC-2026-999999/break-glass",
        {"reason": "Người bệnh bất tỉnh tại trạm y tế, cần liên hệ người thân ngay"},
    )
    assert response.status_code == 400 and "Không thể cấp quyền truy cập khẩn cấp" in response.text


def test_the_workflow_page_draws_the_path(login_as, seeded):
    import shutil

    reference = add_case(seeded, "police-demo")
    police = login_as("police1")
    page = police.get(f"/cases/{reference}/workflow")
    assert page.status_code == 200 and 'aria-current="step" data-stage="intake"' in page.text
    if shutil.which("dot"):
        svg = police.get(f"/cases/{reference}/workflow.svg")
        assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    else:
        assert 'data-testid="diagram"' not in page.text


def test_a_child_travelling_with_the_victim_is_recorded_sealed(login_as, seeded):
    reference = add_case(seeded, "police-demo", full_name="Lò Thị Xuyến")
    police = login_as("police1")
    response = post(
        police,
        f"/cases/{reference}/people",
        {
            "role": "accompanying_child",
            "full_name": "Lò Thị Pằng",
            "gender": "Feminine",
            "date_of_birth": "01/06/2019",
            "phone": "",
        },
    )
    assert response.status_code == 302
    page = police.get(f"/cases/{reference}").text
    assert "Lò Thị Pằng" in page and "Người dưới 18 tuổi đi cùng nạn nhân" in page
    with db_session(seeded) as session:
        raw = b"".join(r[0] or b"" for r in session.execute(sa.text("SELECT full_name FROM victims")))
        assert "Pằng".encode() not in raw
    bad = post(police, f"/cases/{reference}/people", {"role": "accompanying_child", "full_name": ""})
    assert bad.status_code == 400 and "Bắt buộc nhập thông tin này." in bad.text


@pytest.mark.parametrize("dot", [True, False])
def test_the_workflow_page_shows_the_path_as_a_table_and_never_a_server_concern(
    login_as, seeded, monkeypatch, caplog, dot
):
    import shutil

    from victimcare.cases import diagram

    diagram.diagram_svg.cache_clear()
    if not dot:
        monkeypatch.setattr(diagram.shutil, "which", lambda name: None)
    elif shutil.which("dot") is None:
        pytest.skip("Graphviz is not installed here")
    reference = add_case(seeded, "police-demo")
    page = login_as("police1").get(f"/cases/{reference}/workflow").text
    diagram.diagram_svg.cache_clear()
    assert "Graphviz" not in page and "máy chủ" not in page  # nothing about the server for case workers
    assert ('data-testid="diagram"' in page) is dot
    table = page[page.index('data-testid="path-table"') :]
    assert 'aria-current="step"' in table and "Bắt đầu xác minh" in table  # the steps out of intake
    assert "Xác minh" in table and "Đã đóng" in table
    if not dot:
        assert any("apt-get install graphviz" in r.getMessage() for r in caplog.records)  # the server log
