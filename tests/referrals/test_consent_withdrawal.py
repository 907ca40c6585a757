"""Withdrawing consent asks first, records the day and the reason, and says plainly what ends (issue 16)."""

import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from tests.helpers import add_case, add_consent, add_referral, db_session, post
from victimcare.referrals.models import Consent, Referral

TODAY = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y")
REASON = "Chị Xuyến không muốn chia sẻ với y tế nữa"


@pytest.fixture
def case_with_consent(seeded):
    reference = add_case(seeded, "police-demo", full_name="Lò Thị Xuyến")
    return reference, add_consent(seeded, reference)


def _consent(app, consent_id) -> Consent:
    with db_session(app) as session:
        consent = session.get(Consent, uuid.UUID(consent_id))
        session.expunge(consent)
        return consent


def _url(reference, consent_id):
    return f"/cases/{reference}/consents/{consent_id}/withdraw"


def test_the_case_page_links_to_a_confirmation_page_that_names_what_ends(login_as, seeded, case_with_consent):
    reference, consent_id = case_with_consent
    add_referral(seeded, reference, "health-demo", consent_id=consent_id)
    police = login_as("police1")
    case_page = police.get(f"/cases/{reference}").text
    assert f'href="{_url(reference, consent_id)}"' in case_page  # a link, not a one-click button
    page = police.get(_url(reference, consent_id)).text
    assert 'data-testid="ending-referral"' in page and "Trạm Y tế xã Bát Xát (demo)" in page
    assert "không được chia sẻ thêm" in page
    assert _consent(seeded, consent_id).withdrawn_at is None  # looking changes nothing


@pytest.mark.parametrize(
    "data, message",
    [
        ({"withdrawn_on": TODAY, "reason": REASON}, "Bắt buộc nhập thông tin này."),  # not confirmed
        ({"withdrawn_on": TODAY, "confirm": "y"}, "Bắt buộc nhập thông tin này."),  # no reason
        ({"withdrawn_on": "01/01/2099", "reason": REASON, "confirm": "y"}, "không thể ở tương lai"),
        ({"withdrawn_on": "01/01/2000", "reason": REASON, "confirm": "y"}, "trước ngày đã đồng ý"),
    ],
)
def test_without_confirmation_a_reason_and_a_possible_day_nothing_ends(
    login_as, seeded, case_with_consent, data, message
):
    reference, consent_id = case_with_consent
    referral_id = add_referral(seeded, reference, "health-demo", consent_id=consent_id)
    response = post(login_as("police1"), _url(reference, consent_id), data)
    assert response.status_code == 400 and message in response.text
    assert _consent(seeded, consent_id).withdrawn_at is None
    with db_session(seeded) as session:
        assert session.get(Referral, uuid.UUID(referral_id)).status == "pending"


def test_withdrawing_ends_the_referrals_on_it_and_says_which(login_as, seeded, case_with_consent):
    reference, consent_id = case_with_consent
    referral_id = add_referral(seeded, reference, "health-demo", consent_id=consent_id)
    police = login_as("police1")
    response = post(
        police, _url(reference, consent_id), {"withdrawn_on": TODAY, "reason": REASON, "confirm": "y"}
    )
    assert response.status_code == 302
    page = police.get(response.headers["Location"]).text
    assert "Đã kết thúc 1 yêu cầu chuyển tuyến dựa trên sự đồng ý này: Trạm Y tế xã Bát Xát (demo)" in page
    assert f"Đã rút lại ngày {TODAY}" in page
    assert re.search(r'data-testid="consent-withdrawal-reason">[^<]*' + REASON, page)
    consent = _consent(seeded, consent_id)
    assert consent.withdrawn_on.strftime("%d/%m/%Y") == TODAY
    with db_session(seeded) as session:
        assert session.get(Referral, uuid.UUID(referral_id)).status == "withdrawn"
        raw = session.execute(sa.text("SELECT withdrawal_reason FROM consents")).scalar_one()
        assert REASON.encode() not in raw  # sealed under the person's key


def test_withdrawing_a_consent_nothing_rests_on_says_so_plainly(login_as, seeded, case_with_consent):
    reference, consent_id = case_with_consent
    police = login_as("police1")
    assert "Không có yêu cầu chuyển tuyến nào đang mở" in police.get(_url(reference, consent_id)).text
    response = post(
        police, _url(reference, consent_id), {"withdrawn_on": TODAY, "reason": REASON, "confirm": "y"}
    )
    page = police.get(response.headers["Location"]).text
    assert "không yêu cầu nào kết thúc" in page and "0 yêu cầu" not in page


def test_a_withdrawn_consent_cannot_be_withdrawn_again(login_as, seeded, case_with_consent):
    reference, consent_id = case_with_consent
    police = login_as("police1")
    data = {"withdrawn_on": TODAY, "reason": REASON, "confirm": "y"}
    assert post(police, _url(reference, consent_id), data).status_code == 302
    again = police.get(_url(reference, consent_id))
    assert again.status_code == 302
    assert "đã được rút lại" in police.get(again.headers["Location"]).text.lower()


def test_only_the_holder_may_withdraw(login_as, seeded, case_with_consent):
    reference, consent_id = case_with_consent
    assert login_as("health1").get(_url(reference, consent_id)).status_code == 404
    assert login_as("supervisor1").get(_url(reference, consent_id)).status_code == 403
    assert login_as("police1").get(_url(reference, uuid.uuid4())).status_code == 404
