"""reports: the statistics table (every indicator's counted rows per case) and its state

Revision ID: b5d81f3e20c7
Revises: b8e4d2a61c37
Create Date: 2026-12-03 08:30:00

A database that already holds cases gets an empty table and no state row, so figures keep counting
the base tables until `flask reports rebuild` fills it. An empty database is current at once.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b5d81f3e20c7"
down_revision = "b8e4d2a61c37"
branch_labels = None
depends_on = None

# The limits the code of this revision computes deadlines with (workflows/victim_path.py, in seconds,
# and SUPPORT_LODGING_DAYS).
DEFAULT_LIMITS = {
    "intake": 86400,
    "verification": 259200,
    "identification": 1296000,
    "protection": 172800,
    "initial_support": 10368000,
    "reintegration": 31536000,
    "reopened": 86400,
    "lodging_days": 120,
}
BREAKDOWNS = (
    "sex",
    "age_band",
    "ethnicity",
    "abroad",
    "destination",
    "exploitation",
    "return_route",
    "province",
    "channel",
    "closure_reason",
    "support_type",
    "beneficiary",
    "measure",
    "receiver_kind",
    "referral_status",
    "supported",
    "stage",
)


def upgrade():
    op.create_table(
        "report_facts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=True),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("until_day", sa.Date(), nullable=True),
        sa.Column("due_day", sa.Date(), nullable=True),
        sa.Column("timing", sa.String(length=12), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        *(sa.Column(name, sa.String(length=40), nullable=True) for name in BREAKDOWNS),
        sa.Column("route", sa.String(length=81), nullable=True),
        sa.Column("referral_kind", sa.String(length=40), nullable=True),
        sa.Column("answer_time", sa.String(length=40), nullable=True),
        sa.Column("legal_regime", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_facts")),
    )
    op.create_index("ix_report_facts_case_id", "report_facts", ["case_id"], unique=False)
    op.create_index(
        "ix_report_facts_indicator_agency_day",
        "report_facts",
        ["indicator", "agency_id", "day"],
        unique=False,
    )
    op.create_index(
        "ix_report_facts_spells",
        "report_facts",
        ["indicator", "agency_id", "until_day", "day", "due_day"],
        unique=False,
        sqlite_where=sa.text("until_day IS NOT NULL"),
        postgresql_where=sa.text("until_day IS NOT NULL"),
    )
    state = op.create_table(
        "report_facts_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("limits", sa.JSON(), nullable=False),
        sa.Column("built_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_facts_state")),
    )
    connection = op.get_bind()
    if not connection.execute(sa.text("SELECT count(*) FROM cases")).scalar():
        op.bulk_insert(
            state,
            [
                {
                    "id": 1,
                    "version": 1,
                    "limits": DEFAULT_LIMITS,
                    "built_at": datetime.now(UTC).replace(tzinfo=None),
                }
            ],
        )
    else:
        print(
            "report_facts is empty: run `flask --app app reports rebuild` (figures count the base tables until then)"
        )


def downgrade():
    op.drop_table("report_facts_state")
    op.drop_index("ix_report_facts_spells", table_name="report_facts")
    op.drop_index("ix_report_facts_indicator_agency_day", table_name="report_facts")
    op.drop_index("ix_report_facts_case_id", table_name="report_facts")
    op.drop_table("report_facts")
