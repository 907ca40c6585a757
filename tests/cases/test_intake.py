"""Intake at /cases/new: a new case, a warning when the person may already have one, and clear errors."""

import sqlalchemy as sa

from tests.helpers import add_case, db_session, give_authenticator, post
from victimcare.audit.models import AuditEvent
from victimcare.cases.models import Case

BASE = {
    "channel": "hotline_111",
    "received_at": "20/11/2026 08:30",
    "full_name": "Giàng Thị Mai",
    "gender": "Feminine",
    "date_of_birth": "14/08/2010",
    "birth_year": "",
    "nationality": "VN",
    "is_ethnic_minority": "yes",
    "id_document_type": "",
    "id_number": "",
    "phone": "",
    "home_address": "Thôn 3",
    "province_code": "15",
    "commune_code": "",
}


def _count(app):
    with db_session(app) as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Case))


def test_an_officer_opens_a_case_and_sees_it(login_as, seeded):
    client = login_as("police1")
    response = post(client, "/cases/new", BASE)
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "Giàng Thị Mai" in page.text and "14/08/2010" in page.text
    with db_session(seeded) as session:
        case = session.scalar(sa.select(Case))
        assert case.owning_agency.code == "police-demo" and case.victim.is_minor is True
        assert case.intake_channel == "hotline_111" and case.stage == "intake"
        assert case.received_at.isoformat() == "2026-11-20T01:30:00+00:00"  # 08:30 in Hà Nội
        assert case.stage_deadline is not None
        assert "Giàng" not in case.reference


def test_the_same_id_number_warns_of_a_possible_duplicate_with_a_link(login_as, seeded):
    existing = add_case(
        seeded, full_name="Giàng Thị Mai", id_document_type="citizen_id", id_number="015306000999"
    )
    client = login_as("police1")
    data = {**BASE, "full_name": "Mai Giàng", "id_document_type": "citizen_id", "id_number": "0153 0600 0999"}
    warned = post(client, "/cases/new", data)
    assert warned.status_code == 409
    assert "tái mua bán" in warned.text and f'href="/cases/{existing}"' in warned.text
    assert 'value="Mai Giàng"' in warned.text, "the user's input is kept"
    assert _count(seeded) == 1
    opened = post(client, "/cases/new", {**data, "confirm_new_person": "y"})
    assert opened.status_code == 302 and _count(seeded) == 2


def test_name_and_birth_year_or_phone_also_warn(login_as, seeded):
    add_case(seeded, full_name="Mai Thị Giàng", birth_year=2010, phone="0988000111")
    client = login_as("police1")
    assert post(client, "/cases/new", BASE).status_code == 409  # same name (any order) and year
    other_year = {**BASE, "date_of_birth": "14/08/2001"}
    assert post(client, "/cases/new", other_year).status_code == 302
    by_phone = {**BASE, "full_name": "Ai Khác", "phone": "+84 988 000 111"}
    assert post(client, "/cases/new", by_phone).status_code == 409


def test_a_duplicate_held_by_another_agency_says_only_that_a_match_exists(login_as, seeded):
    existing = add_case(seeded, "border-demo", full_name="Giàng Thị Mai", birth_year=2010)
    warned = post(login_as("police1"), "/cases/new", BASE)
    assert warned.status_code == 409 and 'data-testid="match-elsewhere"' in warned.text
    assert (
        existing not in warned.text and "Biên phòng" not in warned.text
    )  # neither the case nor who holds it
    assert "same name" not in warned.text and "cùng họ tên" not in warned.text  # nor what matched


def _supervisor_elsewhere(app) -> str:
    """A supervisor of a police agency in another province (Hà Giang, 02)."""
    from victimcare.accounts import operations as accounts
    from victimcare.accounts.models import Agency

    with db_session(app) as session:
        agency = Agency(code="police-hg", name="Công an tỉnh Hà Giang", kind="police", province_code="02")
        session.add(agency)
        session.flush()
        accounts.create_user(
            username="supervisor-hg",
            display_name="Giám sát Hà Giang",
            agency=agency,
            role="supervisor",
            password="victimcare-demo",
            must_change_password=False,
            check_policy=False,
        )
        session.commit()
    give_authenticator(app, "supervisor-hg")
    return "supervisor-hg"


def test_the_intake_check_is_an_audited_search_scoped_to_the_askers_province(login_as, seeded):
    """Typing a number at intake asks whether someone exists: it is logged, and outside the user's
    need-to-know the answer names no case and no agency, even though nothing is saved."""
    existing = add_case(
        seeded,
        "police-demo",
        full_name="Giàng Thị Mai",
        id_document_type="citizen_id",
        id_number="015306000999",
    )
    asker = login_as(_supervisor_elsewhere(seeded))
    probe = {
        **BASE,
        "full_name": "Ai Đó",
        "date_of_birth": "",
        "birth_year": "1990",
        "id_document_type": "citizen_id",
        "id_number": "015306000999",
    }
    warned = post(asker, "/cases/new", probe)
    assert warned.status_code == 409 and 'data-testid="match-elsewhere"' in warned.text
    assert existing not in warned.text and "Công an tỉnh Lào Cai" not in warned.text  # nor its holder
    with db_session(seeded) as session:
        [event] = session.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == "intake_check")).all()
        assert (event.action, event.actor_username) == ("search", "supervisor-hg")
        assert event.detail["results"] == 1 and event.detail["outside_view"] == 1
        assert event.detail["index"] == ["id_number", "name_birth_year"]
        assert "015306000999" not in repr(event.detail) and "Ai Đó" not in repr(event.detail)
    assert _count(seeded) == 1


def test_intake_checks_are_limited_per_user_and_heavy_use_is_flagged(app_factory):
    from tests.helpers import log_in, seed

    app = app_factory(INTAKE_CHECK_LIMIT="12 per hour")
    seed(app)
    add_case(app, "border-demo", full_name="Giàng Thị Mai", birth_year=2010)
    client = app.test_client()
    assert log_in(client, "police1", "victimcare-demo").status_code == 302
    for _ in range(12):
        assert post(client, "/cases/new", BASE).status_code == 409
    paused = post(client, "/cases/new", {**BASE, "home_address": "Thôn 9"})
    assert paused.status_code == 429 and "Thôn 9" in paused.text  # refused, the input kept
    assert "tạm dừng" in paused.text
    assert _count(app) == 1
    other = app.test_client()  # another user is not affected
    assert log_in(other, "border1", "victimcare-demo").status_code == 302
    assert post(other, "/cases/new", BASE).status_code == 409
    reviewer = app.test_client()
    assert log_in(reviewer, "supervisor1", "victimcare-demo").status_code == 302
    review = reviewer.get("/audit").text
    assert 'data-flag="many_intake_checks"' in review and 'data-flag="denied"' in review


def test_bad_input_is_explained_in_vietnamese_and_kept(login_as, seeded):
    data = {
        **BASE,
        "full_name": "",
        "date_of_birth": "31/02/2006",
        "phone": "không có",
        "nationality": "Việt Nam",
        "id_number": "12345",
        "home_address": "Bản Phìn Hồ",
    }
    response = post(login_as("police1"), "/cases/new", data)
    assert response.status_code == 400
    text = response.text
    assert "Bắt buộc nhập thông tin này." in text
    assert "Ngày không hợp lệ" in text
    assert "không phải số điện thoại" in text.lower()
    assert "Chọn loại giấy tờ" in text
    assert "Bản Phìn Hồ" in text
    assert _count(seeded) == 0


def test_a_health_worker_cannot_open_a_police_case_page(login_as, seeded):
    reference = add_case(seeded, "police-demo", full_name="Hờ Thị Di")
    assert login_as("health1").get(f"/cases/{reference}").status_code == 404
    assert login_as("police1").get(f"/cases/{reference}").status_code == 200
    assert login_as("police1").get("/cases/VC-2026-999999").status_code == 404


def test_reception_time_cannot_be_in_the_future(login_as, seeded):
    response = post(login_as("police1"), "/cases/new", {**BASE, "received_at": "01/01/2099 10:00"})
    assert response.status_code == 400 and "không thể ở tương lai" in response.text
    assert _count(seeded) == 0
