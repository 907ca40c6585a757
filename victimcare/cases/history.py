"""The case history as one viewer may read it.

Every fact recorded at a step belongs to field groups (``workflows.victim_path.FACT_GROUPS``): an
entry shows the facts of the viewer's groups (``access.for_case(...).groups``) and says when others exist.
Sealed facts (free text, document numbers, notes) are opened only when the viewer reads their group,
and the page's view event names the groups they opened. A stored value that does not read as its
kind shows as its raw value, marked invalid: one bad fact never breaks the page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from victimcare.access import FieldGroup
from victimcare.cases.labels import InvalidFact, fact_value
from victimcare.cases.models import StageEvent
from victimcare.cases.path import fact_groups
from workflows import support as support_rules
from workflows import victim_path

log = logging.getLogger(__name__)
RAW_LIMIT = 80  # characters of an unreadable value shown as it is


@dataclass(frozen=True)
class ShownFact:
    label: str
    value: str
    invalid: bool = False


@dataclass
class StageEntry:
    """One step of the history, with the facts this viewer reads and whether others were recorded."""

    event: StageEvent
    facts: list[ShownFact] = field(default_factory=list)
    hidden: bool = False


def _step(trigger: str):
    return next((t for t in victim_path.TRANSITIONS if t.trigger == trigger), None)


# Facts a step reads from the case's records (``victim_path.DERIVED_GROUPS``) have no form field to
# take a label from: they are named as the step's checklist names them.
DERIVED_LABELS = {
    **support_rules.CHECKLIST_LABELS,
    "essential_needs_decided": support_rules.ESSENTIAL_NEEDS_LABEL,
}


def _label(name: str) -> str:
    fact = victim_path.FACTS_BY_NAME.get(name)
    if fact is not None:
        return str(_l(fact.label))
    return str(_l(DERIVED_LABELS[name])) if name in DERIVED_LABELS else ""


def shown_fact(name: str, value, event_id=None) -> ShownFact:
    """A fact as text; a value that cannot be read as its kind shows raw, marked invalid."""
    fact = victim_path.FACTS_BY_NAME.get(name)
    try:
        return ShownFact(_label(name), fact_value(value, fact.kind if fact else None))
    except InvalidFact as error:
        log.warning("stage event %s: fact %s does not read as its kind (%s)", event_id, name, error)
        return ShownFact(_label(name), str(value)[:RAW_LIMIT], invalid=True)


def _readable(name: str, groups: frozenset[FieldGroup]) -> bool:
    return bool(fact_groups(name) & groups)


def stage_entry(event: StageEvent, groups: frozenset[FieldGroup], opened: set[FieldGroup]) -> StageEntry:
    """The entry of ``event`` for a viewer reading ``groups``; adds to ``opened`` the groups of the
    sealed facts it decrypted (for the view event)."""
    entry = StageEntry(event)
    for name, value in (event.facts or {}).items():
        if value in (None, "", []):
            continue
        if _readable(name, groups):
            entry.facts.append(shown_fact(name, value, event.id))
        else:
            entry.hidden = True
    if event.details_sealed is None:
        return entry
    step = _step(event.trigger)
    sealed_names = {f.name for f in step.facts if f.sealed} if step else set()
    if not any(_readable(name, groups) for name in sealed_names):
        entry.hidden = True  # not even opened: nothing in it is for this viewer
        return entry
    for name, value in (event.details or {}).items():
        if _readable(name, groups):
            entry.facts.append(shown_fact(name, value, event.id))
            opened |= fact_groups(name) & groups
        else:
            entry.hidden = True
    return entry


def stage_entries(events, groups: frozenset[FieldGroup]) -> tuple[list, set[FieldGroup]]:
    """History entries (stage events become ``StageEntry``; other entries pass through) and the groups
    of the sealed facts opened to build them."""
    opened: set[FieldGroup] = set()
    entries = [stage_entry(e, groups, opened) if isinstance(e, StageEvent) else e for e in events]
    return entries, opened
