"""Which field group shows each sealed value kept outside the step facts, and opening them for a page.

Step facts name their groups in ``workflows/victim_path.py``; the other sealed values shown on a case
page are named here, as data. A value is opened only for a viewer who reads its group
(``access.for_case(...).groups``), and the page's view event names the groups opened.
"""

from __future__ import annotations

from victimcare.access import FieldGroup

# (table, column) → the field group that shows it.
SEALED_GROUPS: dict[tuple[str, str], FieldGroup] = {
    ("consents", "guardian_name"): FieldGroup.IDENTITY,  # who speaks for a child: part of who they are
    ("consents", "witness_name"): FieldGroup.INVESTIGATION,  # a witness is a person the police may need
    ("consents", "withdrawal_reason"): FieldGroup.IDENTITY,  # the person's own decision, read as their status
}


def open_names(rows, groups: frozenset[FieldGroup], opened: set[FieldGroup]) -> dict:
    """``{row id: {column: plaintext}}`` of the sealed values of ``rows`` this viewer reads; adds the
    groups opened to ``opened``. Rows with nothing sealed for the viewer are not decrypted at all."""
    found: dict = {}
    for row in rows:
        for (table, column), group in SEALED_GROUPS.items():
            if row.__tablename__ != table or group not in groups:
                continue
            if getattr(row, f"{column}_sealed") is None:
                continue
            value = getattr(row, column)
            if value:
                found.setdefault(row.id, {})[column] = value
                opened.add(group)
    return found
