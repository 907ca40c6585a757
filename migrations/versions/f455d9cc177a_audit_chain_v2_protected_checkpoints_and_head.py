"""audit: chain v2 (keyed), checkpoints and head protected like the events

Events gain ``chain_version`` (1 for the rows already there: they keep verifying as before).
The database now also refuses, on both dialects:
- an event that is not appended at the chain head (this refuses re-inserting an existing seq, and
  SQLite's INSERT OR REPLACE, whose hidden DELETE fired no trigger);
- any UPDATE, DELETE or REPLACE of a signed checkpoint (and TRUNCATE on PostgreSQL);
- moving the head anywhere but one event forward, or deleting it.

Revision ID: f455d9cc177a
Revises: 6c09910fdeed
Create Date: 2026-12-02 20:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f455d9cc177a"
down_revision = "6c09910fdeed"
branch_labels = None
depends_on = None

AT_HEAD = "audit_events is append-only: an event is appended at the chain head only"
FORWARD = "audit_head only moves forward, one appended event at a time"

SQLITE_TRIGGERS = {
    "audit_events_insert_at_head": f"""
        CREATE TRIGGER audit_events_insert_at_head BEFORE INSERT ON audit_events
        BEGIN
            SELECT RAISE(ABORT, 'audit_events is append-only: this seq already exists')
            WHERE EXISTS (SELECT 1 FROM audit_events WHERE seq = NEW.seq);
            SELECT RAISE(ABORT, '{AT_HEAD}')
            WHERE NOT EXISTS (SELECT 1 FROM audit_head
                              WHERE id = 1 AND last_seq = NEW.seq AND last_hash = NEW.prev_hash);
        END""",
    "audit_checkpoints_no_update": """
        CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
        BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END""",
    "audit_checkpoints_no_delete": """
        CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
        BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END""",
    "audit_checkpoints_no_replace": """
        CREATE TRIGGER audit_checkpoints_no_replace BEFORE INSERT ON audit_checkpoints
        WHEN EXISTS (SELECT 1 FROM audit_checkpoints WHERE size = NEW.size)
        BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only: this checkpoint already exists'); END""",
    "audit_head_no_delete": f"""
        CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
        BEGIN SELECT RAISE(ABORT, '{FORWARD}'); END""",
    "audit_head_one_row": f"""
        CREATE TRIGGER audit_head_one_row BEFORE INSERT ON audit_head
        WHEN EXISTS (SELECT 1 FROM audit_head)
        BEGIN SELECT RAISE(ABORT, '{FORWARD}'); END""",
    "audit_head_forward_only": f"""
        CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head
        WHEN NOT (NEW.id = OLD.id AND (
            (NEW.last_seq = OLD.last_seq + 1 AND NEW.last_hash = OLD.last_hash)
            OR (NEW.last_seq = OLD.last_seq
                AND NEW.last_hash IS (SELECT hash FROM audit_events WHERE seq = NEW.last_seq))))
        BEGIN SELECT RAISE(ABORT, '{FORWARD}'); END""",
}

POSTGRES_UP = [
    """CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
           RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
       END $$""",
    f"""CREATE FUNCTION audit_events_at_head() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
           IF NOT EXISTS (SELECT 1 FROM audit_head
                          WHERE id = 1 AND last_seq = NEW.seq AND last_hash = NEW.prev_hash) THEN
               RAISE EXCEPTION '{AT_HEAD}';
           END IF;
           RETURN NEW;
       END $$""",
    f"""CREATE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
           IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND (
                  (NEW.last_seq = OLD.last_seq + 1 AND NEW.last_hash = OLD.last_hash)
               OR (NEW.last_seq = OLD.last_seq AND NEW.last_hash IS NOT DISTINCT FROM
                       (SELECT hash FROM audit_events WHERE seq = NEW.last_seq))) THEN
               RETURN NEW;
           END IF;
           RAISE EXCEPTION '{FORWARD}';
       END $$""",
    """CREATE TRIGGER audit_events_insert_at_head BEFORE INSERT ON audit_events
       FOR EACH ROW EXECUTE FUNCTION audit_events_at_head()""",
    """CREATE TRIGGER audit_checkpoints_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_checkpoints
       FOR EACH ROW EXECUTE FUNCTION audit_append_only()""",
    """CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
       FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()""",
    """CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_head
       FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only()""",
    """CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
       FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()""",
]

POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_head",
    "DROP TRIGGER IF EXISTS audit_head_forward_only ON audit_head",
    "DROP TRIGGER IF EXISTS audit_checkpoints_no_truncate ON audit_checkpoints",
    "DROP TRIGGER IF EXISTS audit_checkpoints_no_update_or_delete ON audit_checkpoints",
    "DROP TRIGGER IF EXISTS audit_events_insert_at_head ON audit_events",
    "DROP FUNCTION IF EXISTS audit_head_forward_only()",
    "DROP FUNCTION IF EXISTS audit_events_at_head()",
    "DROP FUNCTION IF EXISTS audit_append_only()",
]


def upgrade():
    # A plain ADD COLUMN, not batch mode: rebuilding audit_events on SQLite would drop its triggers.
    op.add_column(
        "audit_events", sa.Column("chain_version", sa.SmallInteger(), server_default="1", nullable=False)
    )
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_UP:
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS.values():
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_DOWN:
            op.execute(statement)
    else:
        for name in reversed(SQLITE_TRIGGERS):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_column("audit_events", "chain_version")
