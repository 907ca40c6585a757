"""victims: is_minor becomes minor_at_intake, a statistics snapshot; decisions derive age from the birth data

Revision ID: a7c3e1f0b912
Revises: 296cc641045e
Create Date: 2026-12-02 20:10:00

The stored flag was computed once at intake and never again, so a corrected birth date left it
wrong. Decisions (a child's consent) now derive the age from the birth data on the day that matters;
the column stays only as "a child when registered", for statistics. Existing rows are recomputed
from the clear birth year (the sealed date of birth cannot be read here): the birthday is taken as
31 December, as the app does when only the year is known; the next change of a person's birth
data makes their snapshot exact.
"""

import sqlalchemy as sa
from alembic import op

revision = "a7c3e1f0b912"
down_revision = "296cc641045e"
branch_labels = None
depends_on = None


def upgrade():
    # RENAME COLUMN in place (SQLite ≥ 3.25, PostgreSQL): batch mode would copy the table, which
    # other tables reference.
    op.execute("ALTER TABLE victims RENAME COLUMN is_minor TO minor_at_intake")
    victims = sa.table(
        "victims",
        sa.column("birth_year", sa.Integer),
        sa.column("created_at", sa.DateTime),
        sa.column("minor_at_intake", sa.Boolean),
    )
    age_years = sa.extract("year", victims.c.created_at) - victims.c.birth_year
    op.execute(
        victims.update().values(
            minor_at_intake=sa.case(
                (victims.c.birth_year.is_(None), sa.null()), (age_years <= 18, sa.true()), else_=sa.false()
            )
        )
    )


def downgrade():
    op.execute("ALTER TABLE victims RENAME COLUMN minor_at_intake TO is_minor")
