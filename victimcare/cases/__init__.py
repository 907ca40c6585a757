"""Victims, their cases, intake, search, import and erasure."""

from __future__ import annotations


def init_app(app) -> None:
    """What cases listens to: every flush (a person's birth data may have changed), and crypto asking
    which cases the people it names are on."""
    from sqlalchemy.orm import Session

    from victimcare.cases import models
    from victimcare.crypto import signals
    from victimcare.database import listen

    listen(Session, "before_flush", models.refresh_minor_snapshots)
    signals.where_are_people.connect(_cases_of_people)


def _cases_of_people(sender, person_ids) -> dict:
    """The references of the cases each person is on (as victim or as another person); no personal data."""
    import sqlalchemy as sa

    from victimcare.cases.models import Case, CasePerson
    from victimcare.extensions import db

    found: dict = {}
    rows = db.session.execute(
        sa.select(Case.victim_id, Case.reference)
        .where(Case.victim_id.in_(person_ids))
        .union_all(
            sa.select(CasePerson.person_id, Case.reference)
            .join(Case, Case.id == CasePerson.case_id)
            .where(CasePerson.person_id.in_(person_ids))
        )
    )
    for person_id, reference in rows:
        found.setdefault(person_id, []).append(reference)
    return found
