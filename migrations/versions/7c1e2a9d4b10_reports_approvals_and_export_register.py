"""reports: approvals of a period's figures, the export register, and the indexes figures count by

Revision ID: 7c1e2a9d4b10
Revises: f455d9cc177a
Create Date: 2026-12-02 20:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7c1e2a9d4b10"
down_revision = "f455d9cc177a"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_agency_received", ["owning_agency_id", "received_at"], unique=False)

    with op.batch_alter_table("stage_events", schema=None) as batch_op:
        batch_op.create_index("ix_stage_events_trigger_created", ["trigger", "created_at"], unique=False)

    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index("ix_referrals_from_sent", ["from_agency_id", "sent_at"], unique=False)

    with op.batch_alter_table("support_services", schema=None) as batch_op:
        batch_op.create_index("ix_support_services_starts", ["starts_on"], unique=False)

    with op.batch_alter_table("protection_measures", schema=None) as batch_op:
        batch_op.create_index("ix_protection_measures_starts", ["starts_on"], unique=False)

    op.create_table(
        "report_approvals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.String(length=40), nullable=False),
        sa.Column("scope_key", sa.String(length=60), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("approved_by_id", sa.Uuid(), nullable=False),
        sa.Column("approved_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["users.id"], name=op.f("fk_report_approvals_approved_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_approvals")),
    )
    with op.batch_alter_table("report_approvals", schema=None) as batch_op:
        batch_op.create_index("ix_report_approvals_scope_period", ["scope_key", "period"], unique=False)

    op.create_table(
        "report_exports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.String(length=40), nullable=False),
        sa.Column("scope_key", sa.String(length=60), nullable=False),
        sa.Column("file_format", sa.String(length=10), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("exported_by_id", sa.Uuid(), nullable=False),
        sa.Column("exported_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exported_by_id"], ["users.id"], name=op.f("fk_report_exports_exported_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_exports")),
    )
    with op.batch_alter_table("report_exports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_exports_exported_at"), ["exported_at"], unique=False)


def downgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_agency_received")

    with op.batch_alter_table("stage_events", schema=None) as batch_op:
        batch_op.drop_index("ix_stage_events_trigger_created")

    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_referrals_from_sent")

    with op.batch_alter_table("support_services", schema=None) as batch_op:
        batch_op.drop_index("ix_support_services_starts")

    with op.batch_alter_table("protection_measures", schema=None) as batch_op:
        batch_op.drop_index("ix_protection_measures_starts")

    with op.batch_alter_table("report_exports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_exports_exported_at"))
    op.drop_table("report_exports")
    with op.batch_alter_table("report_approvals", schema=None) as batch_op:
        batch_op.drop_index("ix_report_approvals_scope_period")
    op.drop_table("report_approvals")
