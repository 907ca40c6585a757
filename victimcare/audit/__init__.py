"""The confidentiality log: who saw or changed which record, when and why (DESIGN.md §7).

Append-only rows in a hash chain; the database refuses UPDATE and DELETE on them, and
``flask audit verify`` recomputes the chain. Events name field groups, never their values.
"""

from __future__ import annotations


def init_app(app) -> None:
    """Sign a checkpoint after the commit that holds every 1,000th event, and log every key change."""
    from sqlalchemy.orm import Session

    from victimcare.audit import operations
    from victimcare.crypto import signals
    from victimcare.database import listen

    listen(Session, "after_commit", operations.checkpoint_after_commit)
    signals.keys_changed.connect(_record_key_change)


def _record_key_change(sender, detail: dict) -> None:
    from victimcare.audit import operations
    from vocabulary import AuditAction

    operations.record(AuditAction.KEY_ROTATE, purpose="cli", detail=detail)
