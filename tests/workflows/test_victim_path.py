"""The victim's path without Flask: the full path, every side exit, and every refusal with its reason."""

from datetime import UTC, datetime, timedelta

import pytest

from workflows.victim_path import (
    OPEN_STAGES,
    TRANSITIONS,
    CasePath,
    Stage,
    TransitionRefused,
    available,
    deadline,
    fire,
    transitions_from,
)

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

# Facts that satisfy each trigger.
GOOD_FACTS = {
    "start_verification": {"channel": "hotline_111", "received_at": NOW, "notified_social_affairs_at": NOW},
    "request_identification": {"evidence": ["b", "e"]},
    "confirm_for_rescue": {
        "confirmation_document": "victim_confirmation",
        "confirmation_number": "12/XN",
        "confirmation_issuer": "Công an tỉnh",
        "confirmation_date": NOW.date(),
    },
    "not_confirmed": {"onward_referral": "Trung tâm công tác xã hội tỉnh"},
    "complete_rescue": {
        "rescue_date": NOW.date(),
        "rescue_place": "abroad",
        "rescue_country": "CN",
        "rescue_outcome": "rescued",
    },
    "start_support": {"risk_level": "high", "protection_decision": "measures_applied"},
    "start_reintegration": {"essential_needs_decided": True, "residence": "family"},
    "close_case": {"support_considered": True, "protection_ended": True, "follow_ups_done": True},
    "decline_assistance": {"declined_how": "in_writing", "declined_on": NOW.date()},
    "close_transferred": {"receiving_province": "01"},
    "record_death": {"date_of_death": NOW.date()},
    "suspend": {"last_contact_on": NOW.date()},
    "reopen": {"reopen_reason": "re_trafficked"},
}
GOOD_FACTS["confirm_safe"] = GOOD_FACTS["confirm_for_rescue"]


def step(path, trigger, kind="police", role="officer", **facts):
    return fire(path, trigger, agency_kind=kind, role=role, facts={**GOOD_FACTS.get(trigger, {}), **facts})


def test_the_workflow_module_imports_no_flask_and_no_database():
    import ast
    from pathlib import Path

    import workflows.victim_path as module

    tree = ast.parse(Path(module.__file__).read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    imported |= {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported <= {
        "__future__",
        "collections",
        "dataclasses",
        "datetime",
        "enum",
        "transitions",
        "vocabulary",
    }, imported


def test_a_typical_case_walks_the_whole_path():
    path = CasePath(Stage.INTAKE)
    step(path, "start_verification")
    step(path, "request_identification", kind="social_affairs", role="case_worker")
    step(path, "confirm_for_rescue", kind="border_guard")
    step(path, "complete_rescue", kind="border_guard")
    step(path, "start_support", kind="social_affairs", role="case_worker")
    step(path, "start_reintegration", kind="social_affairs", role="case_worker")
    step(path, "close_case", kind="social_affairs", role="supervisor")
    assert path.stage == Stage.CLOSED
    assert [h[2] for h in path.history] == [
        "verification",
        "identification",
        "rescue",
        "protection",
        "initial_support",
        "reintegration",
        "closed",
    ]


def test_rescue_is_skipped_when_the_person_is_already_safe():
    path = CasePath(Stage.IDENTIFICATION)
    step(path, "confirm_safe")
    assert path.stage == Stage.PROTECTION


def test_not_confirmed_closes_with_an_onward_referral():
    path = CasePath(Stage.IDENTIFICATION)
    t = step(path, "not_confirmed")
    assert path.stage == Stage.CLOSED and t.closure == "not_confirmed"
    with pytest.raises(TransitionRefused):
        step(CasePath(Stage.IDENTIFICATION), "not_confirmed", onward_referral="")


@pytest.mark.parametrize("stage", OPEN_STAGES + (Stage.SUSPENDED,))
@pytest.mark.parametrize(
    "trigger,closure",
    [("decline_assistance", "declined"), ("close_transferred", "transferred"), ("record_death", "died")],
)
def test_any_open_stage_can_close_for_the_laws_side_reasons(stage, trigger, closure):
    path = CasePath(stage, suspended_from=Stage.RESCUE if stage == Stage.SUSPENDED else None)
    assert step(path, trigger, kind="social_affairs", role="case_worker").closure == closure
    assert path.stage == Stage.CLOSED


@pytest.mark.parametrize("stage", OPEN_STAGES)
def test_lost_contact_suspends_and_resumes_where_it_left(stage):
    path = CasePath(stage)
    step(path, "suspend", kind="commune")
    assert path.stage == Stage.SUSPENDED and path.suspended_from == stage
    step(path, "resume", kind="commune")
    assert path.stage == stage and path.suspended_from is None


def test_a_closed_case_reopens_on_re_trafficking_at_intake_or_verification():
    path = CasePath(Stage.CLOSED)
    step(path, "reopen")
    assert path.stage == Stage.REOPENED
    step(path, "restart_verification")
    assert path.stage == Stage.VERIFICATION
    path = CasePath(Stage.CLOSED)
    step(path, "reopen")
    step(path, "restart_intake", kind="health", role="case_worker")
    assert path.stage == Stage.INTAKE


ORDINARY = [(t, GOOD_FACTS.get(t.trigger, {})) for t in TRANSITIONS if t.trigger != "resume"]


@pytest.mark.parametrize("t,facts", ORDINARY, ids=[t.trigger for t, _ in ORDINARY])
def test_every_transition_refuses_the_wrong_agency_kind(t, facts):
    wrong = next(k for k in ("procuracy", "justice", "foreign_affairs") if k not in t.agency_kinds)
    with pytest.raises(TransitionRefused) as refused:
        fire(CasePath(t.sources[0]), t.trigger, agency_kind=wrong, role="supervisor", facts=facts)
    assert "Your agency does not carry out this step." in refused.value.reasons


@pytest.mark.parametrize("t,facts", ORDINARY, ids=[t.trigger for t, _ in ORDINARY])
@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_every_transition_refuses_the_wrong_role(t, facts, role):
    kind = sorted(t.agency_kinds)[0]
    with pytest.raises(TransitionRefused) as refused:
        fire(CasePath(t.sources[0]), t.trigger, agency_kind=kind, role=role, facts=facts)
    assert refused.value.reasons == ["Your role does not allow this step."]


@pytest.mark.parametrize("t,facts", ORDINARY, ids=[t.trigger for t, _ in ORDINARY])
def test_every_transition_refuses_the_wrong_stage(t, facts):
    wrong = next(s for s in Stage if s not in t.sources)
    kind, role = sorted(t.agency_kinds)[0], sorted(t.roles)[-1]
    with pytest.raises(TransitionRefused) as refused:
        fire(CasePath(wrong), t.trigger, agency_kind=kind, role=role, facts=facts)
    assert "This step is not possible at the case's current stage." in refused.value.reasons


WITH_FACTS = [(t, GOOD_FACTS[t.trigger]) for t, _ in ORDINARY if t.facts]


@pytest.mark.parametrize("t,facts", WITH_FACTS, ids=[t.trigger for t, _ in WITH_FACTS])
def test_every_transition_refuses_missing_facts(t, facts):
    kind, role = sorted(t.agency_kinds)[0], sorted(t.roles)[-1]
    with pytest.raises(TransitionRefused) as refused:
        fire(CasePath(t.sources[0]), t.trigger, agency_kind=kind, role=role, facts={})
    assert refused.value.reasons, "a readable reason"
    assert all(isinstance(r, str) and r.endswith(".") for r in refused.value.reasons)
    path = CasePath(t.sources[0])
    fire(path, t.trigger, agency_kind=kind, role=role, facts=facts)
    assert path.stage == t.dest


def test_guards_explain_what_is_wrong():
    with pytest.raises(TransitionRefused) as refused:
        step(CasePath(Stage.INTAKE), "start_verification", notified_social_affairs_at=None)
    assert refused.value.reasons == ["Record when social affairs was notified (Law Art 27(1): immediately)."]
    social = CasePath(Stage.INTAKE)
    step(
        social,
        "start_verification",
        kind="social_affairs",
        role="case_worker",
        notified_social_affairs_at=None,
    )
    with pytest.raises(TransitionRefused) as refused:
        step(CasePath(Stage.RESCUE), "complete_rescue", rescue_country="", rescue_outcome="not_found")
    assert len(refused.value.reasons) == 2
    with pytest.raises(TransitionRefused) as refused:
        step(
            CasePath(Stage.INITIAL_SUPPORT),
            "start_reintegration",
            kind="social_affairs",
            role="case_worker",
            essential_needs_decided=False,
        )
    assert "essential-needs support" in refused.value.reasons[0]
    with pytest.raises(TransitionRefused) as refused:
        step(CasePath(Stage.INTAKE), "start_verification", received_at=datetime.now(UTC) + timedelta(days=1))
    assert refused.value.reasons == ["A date or time cannot be in the future."]


def test_only_a_supervisor_approves_closing():
    with pytest.raises(TransitionRefused):
        step(CasePath(Stage.REINTEGRATION), "close_case", kind="social_affairs", role="case_worker")


def test_the_buttons_offered_are_exactly_what_the_actor_may_fire():
    police = {t.trigger for t in available(Stage.IDENTIFICATION, "police", "officer")}
    assert police == {
        "confirm_for_rescue",
        "confirm_safe",
        "not_confirmed",
        "decline_assistance",
        "close_transferred",
        "record_death",
        "suspend",
    }
    health = {t.trigger for t in available(Stage.IDENTIFICATION, "health", "case_worker")}
    assert health == {"decline_assistance", "close_transferred", "record_death", "suspend"}
    assert available(Stage.IDENTIFICATION, "police", "auditor") == []
    assert [t.dest for t in transitions_from(Stage.SUSPENDED, Stage.RESCUE) if t.trigger == "resume"] == [
        Stage.RESCUE
    ]


def test_deadlines_follow_the_law():
    assert deadline(Stage.VERIFICATION, NOW) == NOW + timedelta(days=3)
    assert deadline(Stage.INITIAL_SUPPORT, NOW) == NOW + timedelta(days=120)
    assert deadline(Stage.RESCUE, NOW) is None and deadline(Stage.CLOSED, NOW) is None
    assert deadline(Stage.IDENTIFICATION, NOW, {Stage.IDENTIFICATION: timedelta(days=10)}) == NOW + timedelta(
        days=10
    )


def test_closing_names_each_unticked_item_of_the_checklist():
    facts = {"support_considered": False, "protection_ended": False, "follow_ups_done": False}
    with pytest.raises(TransitionRefused) as refused:
        step(CasePath(Stage.REINTEGRATION), "close_case", kind="social_affairs", role="supervisor", **facts)
    reasons = refused.value.reasons
    assert len(reasons) == 3
    assert any("support type" in r for r in reasons) and any("protection measure" in r for r in reasons)
    assert any("follow-ups" in r for r in reasons)
    # Visits not done can be explained instead; the rest of the checklist still has to hold.
    path = CasePath(Stage.REINTEGRATION)
    step(
        path,
        "close_case",
        kind="social_affairs",
        role="supervisor",
        follow_ups_done=False,
        follow_ups_reason="Gia đình chuyển đi nơi khác",
    )
    assert path.stage == Stage.CLOSED
