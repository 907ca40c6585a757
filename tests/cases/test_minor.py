"""Who is a child is derived from the birth data when it matters, so a corrected birth date counts at once."""

import re
from datetime import date

import sqlalchemy as sa

from tests.helpers import add_case, db_session, post
from victimcare.cases.models import Case

PERSON = {
    "full_name": "Lò Thị Xuyến",
    "other_names": "",
    "gender": "Feminine",
    "birth_year": "",
    "nationality": "VN",
    "is_ethnic_minority": "yes",
    "id_document_type": "",
    "id_number": "",
    "phone": "",
    "home_address": "",
    "province_code": "15",
    "commune_code": "",
}
CONSENT = {
    "given_by": "person",
    "agency_kinds": ["health"],
    "purposes": ["medical_care"],
    "method": "signed_form",
    "given_at": "01/11/2026 09:00",
}


def _correct_birth_date(client, reference, day: str):
    url = f"/cases/{reference}/edit/person"
    version = re.search(r'name="version" type="hidden" value="(\d+)"', client.get(url).text).group(1)
    response = post(client, url, {**PERSON, "version": version, "date_of_birth": day})
    assert response.status_code == 302, response.text


def _snapshot(app, reference):
    with db_session(app) as session:
        return session.scalar(sa.select(Case).where(Case.reference == reference)).victim.minor_at_intake


def test_a_child_corrected_from_1990_to_2015_cannot_consent_without_a_guardian(login_as, seeded):
    reference = add_case(seeded, "police-demo", full_name="Lò Thị Xuyến", date_of_birth=date(1990, 5, 12))
    police = login_as("police1")
    _correct_birth_date(police, reference, "12/05/2015")
    refused = post(police, f"/cases/{reference}/consents/new", CONSENT)
    assert refused.status_code == 400 and 'data-testid="refusal"' in refused.text
    assert _snapshot(seeded, reference) is True, "the statistics snapshot follows the correction"


def test_an_adult_corrected_from_2015_to_1990_consents_for_themself(login_as, seeded):
    reference = add_case(seeded, "police-demo", full_name="Lò Thị Xuyến", date_of_birth=date(2015, 5, 12))
    police = login_as("police1")
    _correct_birth_date(police, reference, "12/05/1990")
    assert post(police, f"/cases/{reference}/consents/new", CONSENT).status_code == 302
    assert _snapshot(seeded, reference) is False


def test_age_is_taken_on_the_day_the_consent_was_given(login_as, seeded):
    reference = add_case(seeded, "police-demo", date_of_birth=date(2008, 6, 1))  # 18 on 1 June 2026
    police = login_as("police1")
    as_a_child = post(police, f"/cases/{reference}/consents/new", {**CONSENT, "given_at": "31/05/2026 09:00"})
    assert as_a_child.status_code == 400 and 'data-testid="refusal"' in as_a_child.text, (
        "at 17 a guardian consents"
    )
    assert (
        post(
            police, f"/cases/{reference}/consents/new", {**CONSENT, "given_at": "01/06/2026 09:00"}
        ).status_code
        == 302
    )


def test_with_only_the_birth_year_the_person_counts_as_a_child_until_the_year_is_surely_past(seeded):
    from victimcare.cases.models import Victim

    with seeded.app_context():
        victim = Victim(birth_year=2008)
        assert victim.is_minor_on(date(2026, 12, 30)) is True
        assert victim.is_minor_on(date(2026, 12, 31)) is False
        assert Victim().is_minor_on(date(2026, 12, 31)) is None


def test_the_snapshot_follows_a_birth_year_changed_without_going_through_set_birth(seeded):
    reference = add_case(seeded, "police-demo", birth_year=1990)
    assert _snapshot(seeded, reference) is False
    with db_session(seeded) as session:
        session.scalar(sa.select(Case).where(Case.reference == reference)).victim.birth_year = 2015
        session.commit()
    assert _snapshot(seeded, reference) is True


def test_the_migration_recomputes_stale_flags_from_the_birth_year(app):
    """A flag left stale by an old correction (born 2015, stored as adult) is right after the upgrade."""
    import uuid

    import flask_migrate

    from victimcare.extensions import db

    with app.app_context():
        flask_migrate.downgrade(revision="296cc641045e")
        ids = {2015: uuid.uuid4(), 1990: uuid.uuid4(), None: uuid.uuid4()}
        key = (lambda u: u.hex) if db.engine.dialect.name == "sqlite" else (lambda u: u)
        with db.engine.begin() as connection:
            for year, victim_id in ids.items():
                connection.execute(
                    sa.text(
                        "INSERT INTO victims (id, gender, nationality, created_at, version, birth_year, is_minor) "
                        "VALUES (:id, 'Feminine', 'VN', '2026-03-01 00:00:00', 1, :year, :stale)"
                    ),
                    {"id": key(victim_id), "year": year, "stale": year != 2015},
                )
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            got = {
                year: connection.execute(
                    sa.text("SELECT minor_at_intake FROM victims WHERE id = :id"), {"id": key(victim_id)}
                ).scalar_one()
                for year, victim_id in ids.items()
            }
    assert {year: None if v is None else bool(v) for year, v in got.items()} == {
        2015: True,
        1990: False,
        None: None,
    }
