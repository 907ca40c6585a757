"""consents: the day a consent was withdrawn and why (sealed)

Revision ID: e7d5c3a1b902
Revises: 7c1e2a9d4b10
Create Date: 2026-12-03 08:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e7d5c3a1b902"
down_revision = "7c1e2a9d4b10"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("consents", sa.Column("withdrawn_on", sa.Date(), nullable=True))
    op.add_column("consents", sa.Column("withdrawal_reason", sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_column("withdrawal_reason")
        batch_op.drop_column("withdrawn_on")
