"""A case page prints only what its read model was given, and the read model holds only what
``access.for_case`` reads: rendered for every combination of groups, and over HTTP for every reason
a user sees a case, compared with the access table (DESIGN.md §5)."""

from __future__ import annotations

from itertools import combinations

import pytest
import sqlalchemy as sa

from tests.helpers import add_case, add_consent, add_referral, db_session, post
from victimcare.access import CaseAccess, FieldGroup

# One value per group, each found on the page only if its group was handed over.
VALUES = {
    FieldGroup.IDENTITY: "Lò Thị Xuyến",
    FieldGroup.CONTACT: "0912345678",
    FieldGroup.NARRATIVE: "Bị lừa sang biên giới làm việc",
    FieldGroup.INVESTIGATION: "Đối tượng Sùng A Tủa",
}
CASE_GROUPS = tuple(VALUES)


def _full_case(app, agency: str = "police-demo") -> str:
    from victimcare.cases.models import Case

    reference = add_case(app, agency, full_name=VALUES[FieldGroup.IDENTITY], phone=VALUES[FieldGroup.CONTACT])
    with db_session(app) as session:
        case = session.scalar(sa.select(Case).where(Case.reference == reference))
        case.narrative = VALUES[FieldGroup.NARRATIVE]
        case.investigation_notes = VALUES[FieldGroup.INVESTIGATION]
        session.commit()
    return reference


def _subsets():
    for size in range(len(CASE_GROUPS) + 1):
        yield from combinations(CASE_GROUPS, size)


def test_the_sections_print_exactly_the_groups_of_the_view_for_every_combination(seeded):
    from flask import render_template

    from victimcare.cases import read_model
    from victimcare.cases.models import Case
    from victimcare.extensions import db

    reference = _full_case(seeded)
    with seeded.test_request_context():
        case = db.session.scalar(sa.select(Case).where(Case.reference == reference))
        for groups in _subsets():
            view = read_model.build(case, CaseAccess(visible=True, groups=frozenset(groups)))
            html = render_template("cases/_sections.html", view=view, edit_links=True)
            for group, value in VALUES.items():
                assert (value in html) == (group in groups), (groups, group)
            assert view.opened == frozenset(groups), groups  # every one of them holds a value here


# (user, how they come to see the police case) → the groups the access table gives them.
EXPECTED = {
    ("police1", "owner"): {
        FieldGroup.IDENTITY,
        FieldGroup.CONTACT,
        FieldGroup.NARRATIVE,
        FieldGroup.INVESTIGATION,
    },
    ("supervisor3", "owner"): {
        FieldGroup.IDENTITY,
        FieldGroup.CONTACT,
        FieldGroup.NARRATIVE,
        FieldGroup.INVESTIGATION,
    },
    ("supervisor1", "supervisor"): {FieldGroup.IDENTITY, FieldGroup.CONTACT, FieldGroup.NARRATIVE},
    ("social1", "break_glass"): {FieldGroup.IDENTITY, FieldGroup.CONTACT, FieldGroup.NARRATIVE},
    ("health1", "break_glass"): {FieldGroup.IDENTITY},
    ("health1", "referral"): {FieldGroup.IDENTITY},
    ("border1", "none"): set(),
}


@pytest.mark.parametrize(("username", "reason"), sorted(EXPECTED))
def test_every_reason_to_see_a_case_shows_the_groups_of_the_access_table(login_as, seeded, username, reason):
    from victimcare.audit.models import AuditEvent

    reference = _full_case(seeded)
    client = login_as(username)
    if reason == "break_glass":
        assert (
            post(
                client, f"/cases/{reference}/break-glass", {"reason": "Cấp cứu, cần liên hệ gia đình"}
            ).status_code
            == 302
        )
    if reason == "referral":
        consent = add_consent(seeded, reference)
        referral = add_referral(seeded, reference, "health-demo", consent_id=consent, groups=("identity",))
        assert (
            post(client, f"/referrals/{referral}/accept", {}, token_page=f"/referrals/{referral}").status_code
            == 302
        )
    response = client.get(f"/cases/{reference}")
    expected = EXPECTED[(username, reason)]
    if not expected:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    for group, value in VALUES.items():
        assert (value in response.text) == (group in expected), group
    with db_session(seeded) as session:
        view = session.scalars(
            sa.select(AuditEvent)
            .where(
                AuditEvent.action == "view",
                AuditEvent.case_reference == reference,
                AuditEvent.object_type == "case",
            )
            .order_by(AuditEvent.seq.desc())
        ).first()
    # The event names what was opened: the four groups with a value on the page, plus any records shown.
    assert set(view.fields) & set(CASE_GROUPS) == {str(g) for g in expected}
    assert view.purpose == ("break_glass" if reason == "break_glass" else None)
