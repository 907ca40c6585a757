"""What the intake and step forms propose and mark before the user types anything (issue 16)."""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests.helpers import add_case, db_session
from victimcare.cases import path
from victimcare.cases.models import Case
from victimcare.support.models import ProtectionMeasure, RiskAssessment
from vocabulary import AgencyKind
from workflows.victim_path import RECEIVERS, TRANSITIONS, Stage, social_affairs_notified


def _at_protection(app, agency="social-demo") -> str:
    reference = add_case(app, agency)
    with db_session(app) as session:
        case = session.scalar(sa.select(Case).where(Case.reference == reference))
        path.start_stage(case, Stage.PROTECTION)
        session.commit()
    return reference


def _add(app, reference, *rows):
    with db_session(app) as session:
        case = session.scalar(sa.select(Case).where(Case.reference == reference))
        session.add_all(make(case) for make in rows)
        session.commit()


def _selected(page: str, name: str) -> str | None:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    found = re.search(r'<option selected value="([^"]*)"', select)
    return found.group(1) if found else None


def _assessment(level, refused=False):
    return lambda case: RiskAssessment(
        case=case,
        assessed_on=date(2026, 11, 20),
        level=level,
        at_risk=["person"],
        person_refused=refused,
        commitment_reference="CK-1" if refused else None,
    )


def test_the_protection_step_proposes_the_latest_assessment_and_the_measures_on_file(login_as, seeded):
    reference = _at_protection(seeded)
    _add(
        seeded,
        reference,
        _assessment("low"),
        lambda case: RiskAssessment(
            case=case, assessed_on=date(2026, 11, 25), level="medium", at_risk=["person"]
        ),
        lambda case: ProtectionMeasure(case=case, measure="address_secrecy", starts_on=date(2026, 11, 25)),
    )
    page = login_as("social1").get(f"/cases/{reference}/transition/start_support").text
    assert _selected(page, "risk_level") == "medium"
    assert _selected(page, "protection_decision") == "measures_applied"


@pytest.mark.parametrize(
    "records, level, decision",
    [
        ((), "", ""),  # nothing on file: the user chooses, nothing is preselected for them
        ((_assessment("high", refused=True),), "high", "refused_with_commitment"),
        ((_assessment("low"),), "low", "not_needed"),
        ((_assessment("high"),), "high", ""),  # high risk and no measure yet: the user decides
    ],
)
def test_without_measures_the_step_proposes_only_what_the_records_say(
    login_as, seeded, records, level, decision
):
    reference = _at_protection(seeded)
    _add(seeded, reference, *records)
    page = login_as("social1").get(f"/cases/{reference}/transition/start_support").text
    assert (_selected(page, "risk_level") or "") == level
    assert (_selected(page, "protection_decision") or "") == decision


@pytest.mark.parametrize(
    "username, channel",
    [("border1", "border_handover"), ("police1", "crime_report"), ("social1", "hotline_111")],
)
def test_intake_proposes_the_agencys_usual_channel(login_as, seeded, username, channel):
    page = login_as(username).get("/cases/new").text
    assert _selected(page, "channel") == channel


def _label(page: str, field: str) -> str:
    return re.search(rf'<label class="form-label" for="{field}">(.*?)</label>', page, re.S).group(1)


def test_required_fields_are_marked_and_optional_ones_are_not(login_as, seeded):
    page = login_as("police1").get("/cases/new").text
    for required in ("full_name", "channel", "received_at", "nationality"):
        assert 'class="text-danger vc-required"' in _label(page, required), required
    for optional in ("other_names", "phone", "province_code", "commune_code"):
        assert "vc-required" not in _label(page, optional), optional


@pytest.mark.parametrize("username, marked", [("police1", True), ("social1", False)])
def test_a_fact_a_check_requires_of_the_agency_is_marked_required_for_it(login_as, seeded, username, marked):
    reference = add_case(seeded, "police-demo" if username == "police1" else "social-demo")
    page = login_as(username).get(f"/cases/{reference}/transition/start_verification").text
    assert ("vc-required" in _label(page, "notified_social_affairs_at")) is marked


def test_the_marks_agree_with_the_checks():
    """A fact marked required for an agency kind is one its step's checks refuse to go without."""
    [step] = [t for t in TRANSITIONS if t.trigger == "start_verification"]
    notified = next(f for f in step.facts if f.name == "notified_social_affairs_at")
    for kind in RECEIVERS:
        refused = social_affairs_notified({}, kind) is not None
        assert notified.required_of(kind) is refused, kind
    assert not notified.required_of(AgencyKind.SOCIAL_AFFAIRS)
