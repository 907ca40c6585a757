"""audit: flags kept for counting (and the sweep's position), and reviewers' marks on flagged events

Revision ID: b8e4d2a61c37
Revises: b3d5f7a9c1e2
Create Date: 2026-12-10 09:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b8e4d2a61c37"
down_revision = "b3d5f7a9c1e2"
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        "audit_flags",
        sa.Column("seq", SEQ, autoincrement=False, nullable=False),
        sa.Column("flags", sa.String(length=300), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("agency_province", sa.String(length=10), nullable=True),
        sa.Column("case_province", sa.String(length=10), nullable=True),
        sa.Column("reviewed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_flags")),
    )
    op.create_index("ix_audit_flags_agency_province", "audit_flags", ["agency_province", "reviewed"])
    op.create_index("ix_audit_flags_case_province", "audit_flags", ["case_province", "reviewed"])
    op.create_index("ix_audit_flags_reviewed", "audit_flags", ["reviewed"])
    sweep = op.create_table(
        "audit_flag_sweep",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_seq", SEQ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_flag_sweep")),
    )
    op.bulk_insert(sweep, [{"id": 1, "last_seq": 0}])
    op.create_table(
        "audit_reviews",
        sa.Column("seq", SEQ, autoincrement=False, nullable=False),
        sa.Column("reviewed_by_id", sa.Uuid(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"], ["users.id"], name=op.f("fk_audit_reviews_reviewed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_reviews")),
    )


def downgrade():
    op.drop_table("audit_reviews")
    op.drop_table("audit_flag_sweep")
    op.drop_table("audit_flags")
