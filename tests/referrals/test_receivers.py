"""A purpose no agency of the sender's province serves says why and offers the wider choice (issue 16)."""

import sqlalchemy as sa

from tests.helpers import add_case, db_session, post
from victimcare.accounts.models import Agency
from victimcare.referrals.models import Referral


def _add_agency(app, code, kind, province) -> str:
    from victimcare.accounts import operations

    with db_session(app) as session:
        agency = operations.save_agency(
            None, code=code, name=f"Trung tâm Trợ giúp pháp lý ({code})", kind=kind, province_code=province
        )
        session.commit()
        return str(agency.id)


def test_legal_aid_with_no_agency_anywhere_says_why(login_as, seeded):
    reference = add_case(seeded)
    page = login_as("police1").get(f"/cases/{reference}/referrals/new?purpose=legal_aid").text
    note = page.split('data-testid="receivers-note">')[1].split("</div>")[0]
    assert "Chưa có cơ quan nào trong hệ thống" in note and "Trợ giúp pháp lý" in note


def test_legal_aid_offers_another_provinces_centre_and_sends_to_it(login_as, seeded):
    reference = add_case(seeded)
    centre = _add_agency(seeded, "tgpl-hn", "justice", "01")
    police = login_as("police1")
    url = f"/cases/{reference}/referrals/new?purpose=legal_aid"
    page = police.get(url).text
    assert "Không có cơ quan nào trong tỉnh của bạn" in page
    assert f'value="{centre}"' in page
    data = {
        "kind": "referral",
        "to_agency": centre,
        "urgency": "normal",
        "groups": ["identity", "narrative"],
        "legal_basis": "criminal_investigation",
    }
    assert post(police, url, data).status_code == 200  # the preview
    assert post(police, url, {**data, "confirmed": "yes"}).status_code == 302
    with db_session(seeded) as session:
        referral = session.scalars(sa.select(Referral)).one()
        assert referral.purpose == "legal_aid" and str(referral.to_agency_id) == centre


def test_a_local_agency_keeps_the_choice_in_the_province(login_as, seeded):
    reference = add_case(seeded)
    _add_agency(seeded, "tgpl-lc", "justice", "15")
    far = _add_agency(seeded, "tgpl-hn", "justice", "01")
    police = login_as("police1")
    url = f"/cases/{reference}/referrals/new?purpose=legal_aid"
    assert 'data-testid="receivers-note"' not in police.get(url).text
    data = {
        "kind": "referral",
        "to_agency": far,
        "urgency": "normal",
        "groups": ["identity", "narrative"],
        "legal_basis": "criminal_investigation",
    }
    refused = post(police, url, {**data, "confirmed": "yes"})
    assert refused.status_code == 400  # with a centre at home, another province's is outside the jurisdiction
    with db_session(seeded) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 0
        assert (
            session.scalar(sa.select(sa.func.count()).select_from(Agency).where(Agency.kind == "justice"))
            == 2
        )
