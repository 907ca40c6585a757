"""login_throttles: keyed by an HMAC of the typed username, never the text; indexed for purging

Revision ID: c41d9b7e2a55
Revises: a7c3e1f0b912
Create Date: 2026-12-02 20:12:00

The old rows held whatever was typed in the username box (sometimes a password). They cannot be
re-keyed without that plain text, and re-keying would keep it one step longer, so they are dropped:
every account starts with a clean failure count, and any lock in force ends (at most one hour early).
"""

import sqlalchemy as sa
from alembic import op

revision = "c41d9b7e2a55"
down_revision = "a7c3e1f0b912"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table("login_throttles")
    op.create_table(
        "login_throttles",
        sa.Column("key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(), nullable=True),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttles")),
    )
    with op.batch_alter_table("login_throttles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_throttles_last_failure_at"), ["last_failure_at"], unique=False
        )


def downgrade():
    # The keyed rows cannot give back the usernames; the old table starts empty.
    op.drop_table("login_throttles")
    op.create_table(
        "login_throttles",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(), nullable=True),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_login_throttles")),
    )
