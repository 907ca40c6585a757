"""A deactivated agency stops its staff; a submitted form holds only what was submitted (issue 13 item 15)."""

import sqlalchemy as sa
from wtforms import BooleanField, StringField

from tests.helpers import db_session, detached, log_in, post
from victimcare.accounts.models import Agency
from victimcare.forms import Form


def test_a_post_carrying_only_the_csrf_token_changes_no_agency(login_as, seeded):
    police = detached(seeded, Agency, code="police-demo")
    response = post(login_as("admin1"), f"/admin/agencies/{police.id}", {})
    assert response.status_code == 400
    after = detached(seeded, Agency, code="police-demo")
    assert after.active and (after.name, after.kind, after.province_code) == (police.name, police.kind, "15")


def test_deactivating_an_agency_stops_its_staff_at_once(login_as, seeded):
    police1 = login_as("police1")
    police = detached(seeded, Agency, code="police-demo")
    admin = login_as("admin1")
    assert (
        post(
            admin, f"/admin/agencies/{police.id}/deactivate", token_page=f"/admin/agencies/{police.id}"
        ).status_code
        == 302
    )
    assert not detached(seeded, Agency, code="police-demo").active
    assert police1.get("/cases").status_code == 302, "the open session no longer works"
    refused = log_in(seeded.test_client(), "police1", "victimcare-demo")
    wrong = log_in(seeded.test_client(), "police1", "not the password")
    assert refused.status_code == wrong.status_code == 401
    assert "Tên đăng nhập, mật khẩu hoặc mã xác thực không đúng." in refused.text, (
        "the same answer as a wrong password"
    )
    assert login_as("border1").get("/").status_code == 200, "other agencies carry on"

    post(admin, f"/admin/agencies/{police.id}/activate", token_page=f"/admin/agencies/{police.id}")
    assert log_in(seeded.test_client(), "police1", "victimcare-demo").status_code == 302


def test_a_session_stops_when_its_agency_is_deactivated_behind_its_back(login_as, seeded):
    police1 = login_as("police1")
    with db_session(seeded) as session:
        session.scalar(sa.select(Agency).where(Agency.code == "police-demo")).active = False
        session.commit()
    assert police1.get("/").status_code == 302


def test_an_admin_cannot_deactivate_their_own_agency(login_as, seeded):
    social = detached(seeded, Agency, code="social-demo")
    post(login_as("admin1"), f"/admin/agencies/{social.id}/deactivate", token_page="/")
    assert detached(seeded, Agency, code="social-demo").active


class _Stored:
    name = "stored name"
    flag = True


class _Form(Form):
    class Meta:
        csrf = False

    name = StringField()
    flag = BooleanField()


def test_a_submitted_form_never_takes_stored_values_for_missing_fields(app):
    with app.test_request_context(method="POST", data={"other": "x"}):
        form = _Form(obj=_Stored(), data={"name": "given"}, name="keyword")
        assert form.name.data is None and form.flag.data is False
    with app.test_request_context(method="GET"):
        form = _Form(obj=_Stored())
        assert (form.name.data, form.flag.data) == ("stored name", True)
