"""What a handoff says to the people who send and answer it: the deadline in local time, a transfer
that says it moves the whole record, and the parts of the record the receiver really reads."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import add_case, add_consent, add_referral, db_session, post
from victimcare.access import FieldGroup
from victimcare.accounts.models import Agency, User
from victimcare.cases.models import Case
from victimcare.referrals.models import Referral

VIETNAM = timedelta(hours=7)


@pytest.fixture
def police_case(seeded):
    return add_case(seeded, "police-demo", full_name="Lò Thị Xuyến", phone="0912345678")


def _agency_id(app, code: str) -> str:
    with db_session(app) as session:
        return str(session.scalar(sa.select(Agency.id).where(Agency.code == code)))


def _answer(client, referral_id: str, trigger: str, *, follow_redirects: bool = False, **data):
    return post(
        client,
        f"/referrals/{referral_id}/{trigger}",
        data,
        token_page=f"/referrals/{referral_id}",
        follow_redirects=follow_redirects,
    )


def _flash(page: str) -> str:
    found = re.search(r"<div class=\"alert alert-success\" role=\"alert\">([^<]*)</div>", page)
    assert found, re.findall(r"<div class=\"alert[^>]*>[^<]*", page)
    return found.group(1)


def test_the_message_after_sending_gives_the_answer_deadline_in_local_time(login_as, seeded, police_case):
    consent = add_consent(seeded, police_case)
    police = login_as("police1")
    url = f"/cases/{police_case}/referrals/new?purpose=medical_care"
    data = {
        "kind": "referral",
        "to_agency": _agency_id(seeded, "health-demo"),
        "urgency": "urgent",
        "groups": ["identity"],
        "legal_basis": "consent",
        "consent": consent,
        "confirmed": "yes",
    }
    sent = post(police, url, data, follow_redirects=True)
    with db_session(seeded) as session:
        due = session.scalars(sa.select(Referral)).one().answer_due_at
    local, utc = (due + VIETNAM).strftime("%d/%m/%Y %H:%M"), due.strftime("%d/%m/%Y %H:%M")
    message = _flash(sent.text)
    assert local in message and utc not in message, message
    outbox = police.get("/referrals?box=outbox").text
    assert local in outbox  # the same time as the outbox shows


def test_the_consent_to_choose_is_dated_in_local_time(login_as, seeded, police_case):
    from victimcare.referrals.models import Consent

    consent = add_consent(seeded, police_case)
    with db_session(seeded) as session:
        row = session.get(Consent, uuid.UUID(consent))
        given = row.given_at.replace(hour=20, minute=30)  # 20:30 UTC: already the next day in Hà Nội
        row.given_at = given
        session.commit()
    form = login_as("police1").get(f"/cases/{police_case}/referrals/new?purpose=medical_care").text
    assert f"{(given + VIETNAM).strftime('%d/%m/%Y')}: " in form
    assert f"{given.strftime('%d/%m/%Y')}: " not in form


def test_the_send_form_says_a_transfer_moves_the_whole_record(login_as, seeded, police_case):
    form = login_as("police1").get(f"/cases/{police_case}/referrals/new?purpose=protection").text
    assert re.search(r'<div class="vc-share-groups">\s*<fieldset', form)  # hidden for a transfer (CSS)
    assert 'data-testid="transfer-note"' in form and "chuyển toàn bộ hồ sơ" in form
    assert "không áp dụng việc chọn phần chia sẻ" in form  # said beside the choice itself, too


@pytest.mark.parametrize("ticked", [[], ["identity"], ["investigation", "medical"]])
def test_a_transfer_ignores_the_share_boxes_and_records_what_moves(login_as, seeded, police_case, ticked):
    police = login_as("police1")
    url = f"/cases/{police_case}/referrals/new?purpose=protection"
    data = {
        "kind": "transfer",
        "to_agency": _agency_id(seeded, "social-demo"),
        "urgency": "normal",
        "groups": ticked,
        "legal_basis": "danger_to_life",
    }
    preview = post(police, url, data)
    assert preview.status_code == 200 and 'data-testid="preview"' in preview.text, preview.text
    assert "Đây là chuyển giao" in preview.text and "Lò Thị Xuyến" in preview.text
    sent = post(police, url, {**data, "confirmed": "yes"}, follow_redirects=True)
    assert "hồ sơ và toàn bộ thông tin sẽ thuộc về cơ quan đó" in _flash(sent.text)
    with db_session(seeded) as session:
        referral = session.scalars(sa.select(Referral)).one()
        # What the police read and social affairs' work needs, whatever boxes were ticked.
        assert referral.shared_groups == ["contact", "identity", "narrative"]


def test_accepting_a_transfer_says_the_case_is_now_yours(login_as, seeded, police_case):
    referral_id = add_referral(
        seeded,
        police_case,
        "social-demo",
        purpose="protection",
        kind="transfer",
        legal_basis="danger_to_life",
    )
    accepted = _answer(login_as("social1"), referral_id, "accept", follow_redirects=True)
    message = _flash(accepted.text)
    assert f"Hồ sơ {police_case} giờ thuộc về cơ quan của bạn" in message
    assert "Đã xong" not in accepted.text and "Đã hoàn thành." not in message


def test_accepting_declining_and_withdrawing_a_referral_say_what_changed(login_as, seeded, police_case):
    consent = add_consent(seeded, police_case)
    first = add_referral(seeded, police_case, "health-demo", consent_id=consent)
    accepted = _answer(login_as("health1"), first, "accept", follow_redirects=True)
    assert f"Cơ quan của bạn có thể mở hồ sơ {police_case}" in _flash(accepted.text)
    second = add_referral(seeded, police_case, "health-demo", consent_id=consent)
    declined = _answer(
        login_as("health1"), second, "decline", reason="Không có bác sĩ", follow_redirects=True
    )
    assert "Đã từ chối. Công an tỉnh Lào Cai (demo) sẽ thấy lý do" in _flash(declined.text)
    withdrawn = _answer(login_as("police1"), first, "withdraw", follow_redirects=True)
    assert f"không còn mở được hồ sơ {police_case}" in _flash(withdrawn.text)


def test_the_history_calls_a_transfer_a_transfer(login_as, seeded, police_case):
    consent = add_consent(seeded, police_case)
    add_referral(seeded, police_case, "health-demo", consent_id=consent)
    transfer = add_referral(
        seeded,
        police_case,
        "social-demo",
        purpose="protection",
        kind="transfer",
        legal_basis="danger_to_life",
    )
    _answer(login_as("social1"), transfer, "accept")
    social = login_as("social1").get(f"/cases/{police_case}").text
    steps = re.findall(r'data-testid="referral-step">\s*<strong>([^<]*)</strong>', social)
    assert steps == [
        "Chuyển giao đến Sở Y tế tỉnh Lào Cai – Phòng Bảo trợ xã hội (demo): Đang chờ trả lời",
        "Chuyển giao đến Sở Y tế tỉnh Lào Cai – Phòng Bảo trợ xã hội (demo): Đã chấp nhận",
        "Chuyển giao đến Sở Y tế tỉnh Lào Cai – Phòng Bảo trợ xã hội (demo): đã xong, cơ quan đó nay quản lý hồ sơ",
    ]
    police_id = uuid.UUID(_agency_id(seeded, "police-demo"))
    with db_session(seeded) as session:
        case = session.scalar(sa.select(Case).where(Case.reference == police_case))
        case.owning_agency_id = police_id  # look back as the sender
        session.commit()
    sender = login_as("police1").get(f"/cases/{police_case}").text
    first = re.findall(r'data-testid="referral-step">\s*<strong>([^<]*)</strong>', sender)[0]
    assert first == "Chuyển tuyến đến Trạm Y tế xã Bát Xát (demo): Đang chờ trả lời"


def _listed(page: str) -> str:
    return re.search(r'data-testid="receiver-groups">([^<]*)<', page).group(1).strip()


def test_the_referral_page_lists_what_the_receiver_really_reads(login_as, seeded, police_case):
    consent = add_consent(seeded, police_case)
    referral = add_referral(seeded, police_case, "health-demo", consent_id=consent, groups=("identity",))
    transfer = add_referral(
        seeded,
        police_case,
        "social-demo",
        purpose="protection",
        kind="transfer",
        groups=("identity",),  # as sent before transfers ignored the boxes
        legal_basis="danger_to_life",
    )
    police = login_as("police1")
    # Health records its care in the medical part; a transfer reads what social affairs reads.
    assert _listed(police.get(f"/referrals/{referral}").text) == "Nhân thân, Y tế"
    assert (
        _listed(police.get(f"/referrals/{transfer}").text) == "Nhân thân, Liên lạc, Bóc lột và lời kể, Hỗ trợ"
    )


@pytest.mark.parametrize(
    "to, receiver, kind, groups",
    [
        ("health-demo", "health1", "referral", ("identity",)),
        ("social-demo", "social1", "referral", ("identity", "contact")),
        ("social-demo", "supervisor1", "transfer", ("identity",)),
    ],
)
def test_what_the_page_lists_is_what_the_receiver_reads_once_it_accepts(
    login_as, seeded, police_case, to, receiver, kind, groups
):
    from victimcare import access
    from victimcare.referrals import handoff

    consent = add_consent(seeded, police_case, agency_kinds=("health", "social_affairs"))
    purpose = "medical_care" if to == "health-demo" else "shelter_essential_needs"
    referral_id = add_referral(
        seeded, police_case, to, purpose=purpose, kind=kind, groups=groups, consent_id=consent
    )
    _answer(login_as(receiver), referral_id, "accept")
    with seeded.test_request_context():
        from victimcare.extensions import db

        referral = db.session.get(Referral, uuid.UUID(referral_id))
        user = db.session.scalar(sa.select(User).where(User.username == receiver))
        promised = handoff.receiver_groups(referral.kind, referral.to_agency.kind, referral.shared_groups)
        assert access.for_case(user, referral.case).groups == promised
        assert FieldGroup.IDENTITY in promised
