"""The case page's assignment box and the assignments in its history, registered with the case page
at start-up (``init_app``) like the other domains' sections (``cases.hooks``).

Whoever sees the case sees who carries it (the header) and each change in the history; the box with
its buttons is for the owning agency's staff: take the case when nobody carries it, or, for its
supervisors, assign and reassign it.
"""

from __future__ import annotations

from flask import Flask
from flask_login import current_user

from victimcare.access import CaseAccess
from victimcare.cases import assignment, hooks
from victimcare.cases.forms import AssignForm, TakeForm
from victimcare.labels import label


def init_app(app: Flask) -> None:
    hooks.register_section(app, "assignment", section)


def section(case, access: CaseAccess) -> hooks.Section:
    box = None
    if access.may_act:
        box = {
            "worker": case.assigned_user.display_name if case.assigned_user else None,
            "mine": case.assigned_user_id == current_user.id,
            "open": assignment.is_open(case),
            "take_form": TakeForm(formdata=None, version=case.version)
            if assignment.may_take(current_user, case)
            else None,
            "assign_form": assign_form(case, formdata=None)
            if assignment.may_assign(current_user, case)
            else None,
        }
    # A case nobody carries was never assigned (assignments are never undone): no history to read.
    history = tuple(assignment.history_of(case)) if case.assigned_user_id else ()
    return hooks.Section({"assignment": box}, history=history)


def assign_form(case, **kwargs) -> AssignForm:
    """The supervisor's form, offering the owning agency's workers (the operation checks the choice)."""
    form = AssignForm(version=case.version, **kwargs)
    form.user.choices = worker_choices(case.owning_agency_id)
    if kwargs.get("formdata", True) is None:
        form.user.data = str(case.assigned_user_id or "")
    return form


def worker_choices(agency_id) -> list[tuple[str, str]]:
    return [("", "—")] + [
        (str(u.id), f"{u.display_name} ({label(u.role)})") for u in assignment.workers(agency_id)
    ]
