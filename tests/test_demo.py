"""The demo data a newcomer meets first: cases over every stage, deadlines spread before and after
today, some overdue but not a wall of red."""

import sqlalchemy as sa

from tests.helpers import db_session, seed
from victimcare.accounts.models import Agency
from victimcare.cases.models import Case
from victimcare.database import utcnow


def test_demo_deadlines_fall_before_and_after_today_for_every_agency(app):
    seed(app, with_cases=True)
    now = utcnow()
    with db_session(app) as session:
        rows = session.execute(
            sa.select(Agency.code, Case.stage, Case.stage_deadline)
            .join(Agency, Case.owning_agency_id == Agency.id)
            .where(Case.closed_at.is_(None), Case.stage_deadline.is_not(None))
        ).all()
    assert len(rows) >= 15
    overdue = [r for r in rows if r.stage_deadline < now]
    assert 0.1 <= len(overdue) / len(rows) <= 0.4, (len(overdue), len(rows))
    for code in ("police-demo", "social-demo"):
        mine = [r for r in rows if r.code == code]
        assert any(r.stage_deadline < now for r in mine), code
        assert sum(r.stage_deadline >= now for r in mine) > len(mine) / 2, code  # mostly still on time
    for stage in {r.stage for r in rows}:  # every stage with a limit shows some work not yet overdue
        assert any(r.stage_deadline >= now for r in rows if r.stage == stage), stage
