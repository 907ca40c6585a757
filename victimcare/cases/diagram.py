"""The victim's path drawn by transitions' diagram extension, with the case's stage highlighted,
and the same path as a table (every step out of each stage, where it leads, who takes it).

Graphviz draws the diagram (``apt-get install graphviz``; ``.ci/run`` installs it). Without the
``dot`` program the page shows the table alone: a missing server package is the administrators'
concern, so it goes to the server log, never to the person looking at a case.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from functools import lru_cache

from flask_babel import gettext as _

from victimcare.labels import label
from workflows import victim_path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PathStep:
    step: str
    to: str
    by: str


@dataclass(frozen=True)
class PathStage:
    stage: victim_path.Stage
    steps: tuple[PathStep, ...]


def path_table() -> list[PathStage]:
    """Each stage with the steps out of it, in the user's language (the page's table view)."""
    rows = []
    for stage in victim_path.Stage:
        steps = []
        for t in victim_path.TRANSITIONS:
            if stage not in t.sources:
                continue
            if t.trigger == "resume":  # one per stage: said once, "back where it was"
                if not any(s.step == _(t.label) for s in steps):
                    steps.append(PathStep(_(t.label), _("the stage it left"), _by(t)))
                continue
            steps.append(PathStep(_(t.label), label(t.dest), _by(t)))
        rows.append(PathStage(stage, tuple(steps)))
    return rows


def _by(t: victim_path.Transition) -> str:
    from victimcare.accounts.models import AgencyKind

    if t.agency_kinds == victim_path.ANY_ACTOR:
        kinds = _("any agency working on the case")
    else:
        kinds = ", ".join(label(AgencyKind(kind)) for kind in sorted(t.agency_kinds))
    return _("%(kinds)s (supervisors only)", kinds=kinds) if t.roles == victim_path.SUPERVISOR else kinds


@lru_cache(maxsize=32)
def diagram_svg(stage: str) -> bytes | None:
    if shutil.which("dot") is None:
        log.warning(
            "Graphviz's dot is not installed: the workflow page shows the table only (apt-get install graphviz)"
        )
        return None
    try:
        from transitions.extensions import GraphMachine
    except ImportError:  # pragma: no cover - graphviz bindings missing
        return None
    model = victim_path.CasePath(str(stage))
    machine = GraphMachine(
        model=model,
        states=[s.value for s in victim_path.Stage],
        transitions=victim_path.machine_specs(),
        initial=str(stage),
        auto_transitions=False,
        model_attribute="stage",
        graph_engine="graphviz",
        show_state_attributes=False,
    )
    graph = machine.get_graph()
    return graph.draw(None, format="svg", prog="dot")
