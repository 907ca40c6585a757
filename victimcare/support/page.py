"""Support's part of the case page, registered with the case page at start-up (``init_app``).

The case page does not know support exists: it asks ``cases.hooks`` for the sections registered.
What this section holds is decided by the reader's ``CaseAccess``: rows of a kind of work the reader
cannot read are not loaded, and the groups of the rows handed over are the groups it opened.
"""

from __future__ import annotations

from flask import Flask

from victimcare.access import WORK_GROUPS, CaseAccess, FieldGroup, Work
from victimcare.cases import hooks
from victimcare.support import operations
from workflows import support as rules
from workflows.victim_path import Stage


def init_app(app: Flask) -> None:
    hooks.register_section(app, "support", section)
    hooks.register_derived(app, "support", operations.derived_items)


def section(case, access: CaseAccess) -> hooks.Section:
    """Support, protection, reintegration and medical care, as far as ``access`` reads them."""
    reads = {w.value: access.reads_work(w) for w in Work}
    closing = access.may_act and case.stage == Stage.REINTEGRATION  # the checklist needs every part
    readable = frozenset(w for w in (Work.SUPPORT, Work.MEDICAL) if reads[w.value])
    records = operations.load(
        case,
        services=frozenset(Work) if closing else readable,
        reintegration=closing or reads["reintegration"],
    )
    # The checklist counts every service; the page lists only the rows whose group the user reads.
    shown = {
        w: [s for s in records.services if operations.work_of(s.support_type) == w] if w in readable else []
        for w in (Work.SUPPORT, Work.MEDICAL)
    }
    beneficiary = operations.status_of(case, case.victim, None)
    context = dict(
        support=records,
        services=shown[Work.SUPPORT],
        medical=shown[Work.MEDICAL],
        beneficiary=beneficiary,
        offers=rules.offers(beneficiary, case.legal_regime),
        reads=reads,
        work={w.value: access.may_record(w) for w in Work},
        closing_checklist=operations.checklist(case, records) if closing else None,
    )
    return hooks.Section(context, opened=_opened(access, records, shown))


def _opened(access: CaseAccess, records, shown) -> frozenset[FieldGroup]:
    """The groups of the rows handed to the page."""
    opened: set[FieldGroup] = set()
    if shown[Work.SUPPORT] or (
        access.reads_work(Work.REINTEGRATION) and (records.plan or records.follow_ups)
    ):
        opened.add(FieldGroup.SUPPORT)
    if shown[Work.MEDICAL]:
        opened.add(FieldGroup.MEDICAL)
    if access.reads_work(Work.PROTECTION) and (records.assessments or records.measures):
        opened |= WORK_GROUPS[Work.PROTECTION] & access.groups
    return frozenset(opened)
