"""The victim's path drawn by transitions' diagram extension, with the case's stage highlighted.

Graphviz is optional: without the ``dot`` program the page falls back to the stepper.
"""

from __future__ import annotations

import shutil
from functools import lru_cache

from workflows import victim_path


@lru_cache(maxsize=32)
def diagram_svg(stage: str) -> bytes | None:
    if shutil.which("dot") is None:
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
