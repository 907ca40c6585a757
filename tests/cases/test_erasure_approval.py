"""Erasure takes two supervisors of the owning agency, and waits while a legal hold is on (issue 13 item 7)."""

import re

import sqlalchemy as sa

from tests.helpers import add_case, db_session, post, request_erasure
from victimcare.cases.models import Case, LegalHold

ERASE = {"reason": "person_request", "confirm": "y"}


def _erased(app, reference) -> bool:
    with db_session(app) as session:
        return session.scalar(sa.select(Case).where(Case.reference == reference)).victim.erased_at is not None


def _decide(client, approval_id, decision="approve", page="/"):
    return post(client, f"/approvals/{approval_id}/{decision}", token_page=page)


def test_a_supervisor_of_another_agency_cannot_erase_a_police_case(login_as, seeded):
    reference = add_case(seeded, "police-demo", full_name="Lò Thị Dợ")
    supervisor1 = login_as("supervisor1")  # social-demo, same province: sees the case
    assert supervisor1.get(f"/cases/{reference}").status_code == 200
    assert post(supervisor1, f"/cases/{reference}/erase", ERASE, token_page="/").status_code == 403
    assert not _erased(seeded, reference)


def test_erasure_takes_effect_only_when_a_second_supervisor_of_the_owner_approves(login_as, seeded):
    reference = add_case(seeded, "social-demo", full_name="Chảo Thị Mẩy")
    supervisor1 = login_as("supervisor1")
    asked = post(
        supervisor1,
        f"/cases/{reference}/erase",
        ERASE,
        token_page=f"/cases/{reference}",
        follow_redirects=True,
    )
    assert 'data-testid="erasure-waiting"' in asked.text and "Chảo Thị Mẩy" in asked.text
    approval_id = re.search(r"/approvals/([0-9a-f-]+)/refuse", asked.text).group(1)
    assert f"/approvals/{approval_id}/approve" not in asked.text, "no approve button for the requester"
    assert not _erased(seeded, reference)

    supervisor2 = login_as("supervisor2")
    assert f"/approvals/{approval_id}/approve" in supervisor2.get(f"/cases/{reference}").text
    done = _decide(supervisor2, approval_id, page=f"/cases/{reference}")
    assert done.headers["Location"] == f"/cases/{reference}"
    assert _erased(seeded, reference)
    page = supervisor2.get(f"/cases/{reference}").text
    assert "Chảo Thị Mẩy" not in page and 'data-testid="erased"' in page


def test_the_requester_cannot_approve_their_own_erasure(login_as, seeded):
    reference = add_case(seeded, "social-demo")
    approval_id = request_erasure(seeded, reference, "supervisor1")
    response = _decide(login_as("supervisor1"), approval_id)
    assert response.status_code == 302
    assert not _erased(seeded, reference)
    with db_session(seeded) as session:
        from victimcare.approvals.models import PendingChange

        assert session.scalar(sa.select(PendingChange.decided_at)) is None


def test_a_supervisor_of_another_agency_cannot_approve(login_as, seeded):
    reference = add_case(seeded, "police-demo")
    approval_id = request_erasure(seeded, reference, "supervisor3")
    assert _decide(login_as("supervisor1"), approval_id).status_code == 403  # sees the case, not its owner's
    assert _decide(login_as("admin1"), approval_id).status_code == 404  # may not know the case exists
    assert _decide(login_as("police1"), approval_id).status_code == 403
    assert not _erased(seeded, reference)


def test_a_legal_hold_refuses_the_request_and_the_approval(login_as, seeded):
    reference = add_case(seeded, "social-demo", full_name="Chảo Thị Mẩy")
    approval_id = request_erasure(seeded, reference, "supervisor1")
    supervisor2 = login_as("supervisor2")
    held = post(
        supervisor2,
        f"/cases/{reference}/legal-hold",
        {"reason": "criminal_proceedings"},
        token_page=f"/cases/{reference}",
        follow_redirects=True,
    )
    assert f"/cases/{reference}/legal-hold/lift" in held.text
    refused = _decide(supervisor2, approval_id, page=f"/cases/{reference}")
    assert refused.status_code == 302 and not _erased(seeded, reference)
    supervisor1 = login_as("supervisor1")
    page = supervisor1.get(f"/cases/{reference}").text
    assert f"/cases/{reference}/legal-hold/lift" in page
    post(supervisor1, f"/approvals/{approval_id}/refuse", token_page="/")  # withdrawn
    again = post(supervisor1, f"/cases/{reference}/erase", ERASE, token_page="/", follow_redirects=True)
    assert "giữ lại theo yêu cầu pháp lý" in again.text
    assert not _erased(seeded, reference)

    post(supervisor1, f"/cases/{reference}/legal-hold/lift", token_page="/")
    with db_session(seeded) as session:
        hold = session.scalar(sa.select(LegalHold))
        assert hold.lifted_at is not None and hold.reason == "criminal_proceedings"
    post(supervisor1, f"/cases/{reference}/erase", ERASE, token_page="/")
    approve = re.search(
        r"/approvals/([0-9a-f-]+)/approve", supervisor2.get(f"/cases/{reference}").text
    ).group(1)
    _decide(supervisor2, approve)
    assert _erased(seeded, reference)


def test_only_the_owning_agencys_supervisor_sets_or_lifts_a_hold(login_as, seeded):
    reference = add_case(seeded, "police-demo")
    supervisor1 = login_as("supervisor1")
    hold = {"reason": "court_order"}
    assert post(supervisor1, f"/cases/{reference}/legal-hold", hold, token_page="/").status_code == 403
    assert (
        post(login_as("police1"), f"/cases/{reference}/legal-hold", hold, token_page="/").status_code == 403
    )
    supervisor3 = login_as("supervisor3")
    assert post(supervisor3, f"/cases/{reference}/legal-hold", hold, token_page="/").status_code == 302
    assert post(supervisor1, f"/cases/{reference}/legal-hold/lift", token_page="/").status_code == 403
    with db_session(seeded) as session:
        assert session.scalar(sa.select(LegalHold.lifted_at)) is None


def test_the_command_line_refuses_to_erase_a_held_case(login_as, seeded):
    reference = add_case(seeded, "police-demo")
    post(login_as("supervisor3"), f"/cases/{reference}/legal-hold", {"reason": "court_order"}, token_page="/")
    result = seeded.test_cli_runner().invoke(
        args=["cases", "erase", reference, "--reason", "legal_order", "--yes"]
    )
    assert result.exit_code != 0 and "legal hold" in result.output
    assert not _erased(seeded, reference)
