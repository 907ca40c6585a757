"""The rows of the case list: one query for exactly what the table shows, names opened in a batch.

Why not the ORM: loading a page of full ``Case``, ``Victim`` and ``Agency`` objects cost more than
everything else on the page (bench/pages.py). The table needs nine columns; they are selected as
plain tuples, and each row's labels and deadline text are worked out once here, so the template
only prints strings.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import get_timezone
from flask_babel import gettext as _

from victimcare import crypto
from victimcare.accounts.models import Agency
from victimcare.cases.models import Case, Victim
from victimcare.crypto.errors import DataErased
from victimcare.database import utcnow
from victimcare.extensions import db
from victimcare.i18n import format_moment
from victimcare.labels import label
from workflows.victim_path import STOPPED_CLOCK

COLUMNS = (
    Case.reference,
    Case.stage,
    Case.stage_deadline,
    Agency.code,
    Victim.id,
    Victim.full_name_sealed,
    Victim.gender,
    Victim.birth_year,
    Victim.erased_at,
)


@dataclass(frozen=True, slots=True)
class CaseRow:
    reference: str
    full_name: str | None
    erased: bool  # the person's keys are destroyed: the name is gone for good
    sex: str
    birth_year: int | None
    stage: str
    overdue: bool
    deadline: str  # "Due …" / "Overdue since …", or "" when the stage has no deadline
    agency_code: str


_ROWS = (
    sa.select(*COLUMNS)
    .select_from(Case)
    .join(Victim, Case.victim_id == Victim.id)
    .join(Agency, Case.owning_agency_id == Agency.id)
)


def select_rows() -> sa.Select:
    """The list's columns over cases; callers add the visibility condition, filters and order.

    Built once: a ``Select`` is immutable (each ``where`` returns a new one), and coercing its
    columns and joins again for every request cost more than running it.
    """
    return _ROWS


def load(query: sa.Select) -> list[CaseRow]:
    """Run ``query`` (built on ``select_rows``) and open each name with its person's key."""
    results = db.session.execute(query).all()
    vault = crypto.vault()
    vault.preload(db.session, [r.id for r in results if r.erased_at is None])
    now, tz = utcnow(), get_timezone()
    due, overdue_since = _("Due %(when)s"), _("Overdue since %(when)s")
    sexes, stages = _Labels(), _Labels()  # a page repeats a handful of each fifty times
    rows = []
    for (
        reference,
        stage,
        deadline,
        agency_code,
        person_id,
        sealed_name,
        gender,
        birth_year,
        erased_at,
    ) in results:
        overdue = deadline is not None and deadline < now and stage not in STOPPED_CLOCK
        rows.append(
            CaseRow(
                reference=reference,
                full_name=None if erased_at else _open_name(vault, person_id, sealed_name),
                erased=erased_at is not None,
                sex=sexes[gender],
                birth_year=birth_year,
                stage=stages[stage],
                overdue=overdue,
                deadline=""
                if deadline is None
                else (overdue_since if overdue else due) % {"when": format_moment(deadline, tz)},
                agency_code=agency_code,
            )
        )
    return rows


class _Labels(dict):
    def __missing__(self, value):
        text = self[value] = label(value)
        return text


def _open_name(vault, person_id: uuid.UUID, sealed: bytes | None) -> str | None:
    if sealed is None:
        return None
    try:
        return vault.open(
            db.session,
            person_id=person_id,
            table=Victim.__tablename__,
            row_id=person_id,
            column="full_name",
            blob=sealed,
        ).decode("utf-8")
    except DataErased:
        return None


def order_newest(query: sa.Select) -> sa.Select:
    return query.order_by(Case.created_at.desc(), Case.reference.desc())


def order_deadline(query: sa.Select) -> sa.Select:
    return query.order_by(Case.stage_deadline.is_(None), Case.stage_deadline, Case.reference)
