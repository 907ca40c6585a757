"""cases: assignment history, and the indexes of the home work queue and the caseload page

Revision ID: b3d5f7a9c1e2
Revises: e7d5c3a1b902
Create Date: 2026-12-04 09:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b3d5f7a9c1e2"
down_revision = "e7d5c3a1b902"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "case_assignments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("previous_user_id", sa.Uuid(), nullable=True),
        sa.Column("assigned_by_id", sa.Uuid(), nullable=True),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column(
            "how",
            sa.Enum("taken", "assigned", "transfer", name="assignmenthow", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_case_assignments_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"], ["users.id"], name=op.f("fk_case_assignments_assigned_by_id_users")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_assignments_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["previous_user_id"], ["users.id"], name=op.f("fk_case_assignments_previous_user_id_users")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_case_assignments_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_assignments")),
    )
    op.create_index(op.f("ix_case_assignments_case_id"), "case_assignments", ["case_id"], unique=False)
    # The work queue's counts read these indexes alone, never the table: a worker's cases by deadline,
    # an agency's cases by worker and by stage, and (stage added) an agency's cases by deadline. Each
    # replaces reading up to 100,000 rows of an agency (bench/pages.py) with a range of one index.
    op.create_index(
        "ix_cases_assigned_deadline",
        "cases",
        ["assigned_user_id", "stage_deadline", "stage", "owning_agency_id"],
        unique=False,
    )
    op.create_index(
        "ix_cases_agency_assigned", "cases", ["owning_agency_id", "assigned_user_id", "stage"], unique=False
    )
    op.create_index(
        "ix_cases_agency_stage", "cases", ["owning_agency_id", "stage", "stage_started_at"], unique=False
    )
    op.drop_index("ix_cases_agency_deadline", table_name="cases")
    op.create_index(
        "ix_cases_agency_deadline", "cases", ["owning_agency_id", "stage_deadline", "stage"], unique=False
    )
    op.drop_index("ix_cases_assigned_user_id", table_name="cases")  # the first index above leads with it


def downgrade():
    op.create_index("ix_cases_assigned_user_id", "cases", ["assigned_user_id"], unique=False)
    op.drop_index("ix_cases_agency_deadline", table_name="cases")
    op.create_index("ix_cases_agency_deadline", "cases", ["owning_agency_id", "stage_deadline"], unique=False)
    op.drop_index("ix_cases_agency_stage", table_name="cases")
    op.drop_index("ix_cases_agency_assigned", table_name="cases")
    op.drop_index("ix_cases_assigned_deadline", table_name="cases")
    op.drop_index(op.f("ix_case_assignments_case_id"), table_name="case_assignments")
    op.drop_table("case_assignments")
