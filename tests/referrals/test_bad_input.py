"""Referral pages under odd input: huge page numbers, year-1 consent times, damaged versions (issue 13 item 11)."""

import pytest
import sqlalchemy as sa

from tests.helpers import add_case, add_consent, add_referral, db_session, post
from victimcare.referrals.models import Consent, Referral


@pytest.mark.parametrize("page", ["100000000000000000000", "-3", "zz"])
def test_any_page_number_of_the_referral_list_answers_a_page(login_as, page):
    assert login_as("health1").get(f"/referrals?page={page}").status_code == 200


def test_a_consent_dated_in_year_one_is_refused_in_vietnamese(login_as, seeded):
    reference = add_case(seeded)
    response = post(
        login_as("police1"),
        f"/cases/{reference}/consents/new",
        {
            "given_by": "person",
            "method": "signed_form",
            "given_at": "01/01/0001 00:00",
            "agency_kinds": "health",
            "purposes": "medical_care",
        },
    )
    assert response.status_code == 400 and "Ngày không hợp lệ (dd/mm/yyyy hh:mm)." in response.text
    with db_session(seeded) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Consent)) == 0


def test_a_damaged_version_on_an_answer_is_refused(login_as, seeded):
    reference = add_case(seeded)
    referral_id = add_referral(seeded, reference, consent_id=add_consent(seeded, reference))
    response = post(
        login_as("health1"),
        f"/referrals/{referral_id}/accept",
        {"version": "1e99"},
        token_page=f"/referrals/{referral_id}",
    )
    assert response.status_code == 400 and "Biểu mẫu này bị hỏng hoặc đã cũ." in response.text
    with db_session(seeded) as session:
        assert session.scalar(sa.select(Referral.status)) == "pending"
