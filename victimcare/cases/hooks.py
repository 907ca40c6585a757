"""What other domains add to a case: sections of its page, history steps, and facts its path derives.

Support and referrals build on cases, never the other way round (DESIGN.md §2). Instead of the case
page importing their views, each domain registers here, in its ``init_app``, a builder for its part
of the page and a source of the facts the path derives from its records (indico's template hooks are
the model). The registry lives on the app, so every app built in a process has its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app

from victimcare.access import CaseAccess, FieldGroup

_KEY = "victimcare.case_hooks"


@dataclass(frozen=True)
class Section:
    """A domain's part of the case page.

    ``context``: the names its template include reads. ``opened``: the field groups whose values it
    holds (the page's view event names them). ``history``: steps to show in the case history, each
    with a ``created_at``.
    """

    context: dict
    opened: frozenset[FieldGroup] = frozenset()
    history: tuple = ()


@dataclass
class _Hooks:
    sections: dict[str, Callable] = field(default_factory=dict)
    derived: dict[str, Callable] = field(default_factory=dict)


def _hooks(app: Flask | None = None) -> _Hooks:
    app = app or current_app
    return app.extensions.setdefault(_KEY, _Hooks())


def register_section(app: Flask, name: str, build: Callable[[object, CaseAccess], Section]) -> None:
    """``build(case, access)`` returns the domain's ``Section`` of the case page, in page order."""
    _hooks(app).sections[name] = build


def register_derived(app: Flask, name: str, derive: Callable[[object], dict]) -> None:
    """``derive(case)`` returns, by fact name, the items a step takes from records (``Transition.derived``)."""
    _hooks(app).derived[name] = derive


def sections(case, access: CaseAccess) -> tuple[dict, frozenset[FieldGroup], list]:
    """Every registered section for this reader: the merged template context, groups opened, history."""
    context: dict = {}
    opened: set[FieldGroup] = set()
    history: list = []
    for build in _hooks().sections.values():
        section = build(case, access)
        context.update(section.context)
        opened |= section.opened
        history.extend(section.history)
    return context, frozenset(opened), history


def derived(case) -> dict:
    """The facts other domains' records give the path (e.g. support services delivered), by name."""
    found: dict = {}
    for derive in _hooks().derived.values():
        found.update(derive(case))
    return found
