"""What crypto tells the rest of the app without importing it (DESIGN.md §2: crypto imports no other domain).

The other domains subscribe in their ``init_app``: the confidentiality log records every key change,
and cases says which cases an erased person was on. Signals carry coded values only, never personal data.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

keys_changed = _signals.signal("keys-changed")
"""Sent by ``flask keys rotate`` and ``keys retire`` with ``detail`` (KEK ids and counts), in the
transaction the command then commits. Key changes must be logged: the commands refuse to run when
nothing is connected."""

where_are_people = _signals.signal("where-are-people")
"""Sent by ``flask keys status`` with ``person_ids``; each receiver returns ``{person_id: [case
reference, …]}`` (references carry no personal data)."""


def check_key_changes_are_logged() -> None:
    """Called before a key changes, so an unlogged change never starts."""
    if not keys_changed.receivers:
        raise RuntimeError("nothing records key changes: the audit log's init_app has not run")


def log_key_change(detail: dict) -> None:
    check_key_changes_are_logged()
    keys_changed.send(None, detail=detail)


def case_references(person_ids) -> dict:
    """The references of the cases each person is on, as the receivers know them."""
    found: dict = {}
    if not person_ids:
        return found
    for _receiver, references in where_are_people.send(None, person_ids=list(person_ids)):
        for person_id, refs in (references or {}).items():
            found.setdefault(person_id, []).extend(refs)
    return found
