"""The victim's path as a state machine (Law 53/2024/QH15, Decree 162/2025/NĐ-CP; DOMAIN.md §2).

Pure Python: no Flask, no database. One table, ``TRANSITIONS``, drives the case page (which
buttons a user sees), the operation (which re-checks), the transition forms (which facts they
ask for), the diagram and the tests.

Triggers:
  start_verification      intake → verification            receiving agency notified social affairs
  request_identification  verification → identification   evidence items under Art 32(1)
  confirm_for_rescue      identification → rescue          confirmed; still under traffickers' control
  confirm_safe            identification → protection      confirmed; already safe (rescue skipped)
  not_confirmed           identification → closed          not a victim; onward referral recorded
  complete_rescue         rescue → protection              operation date, place, outcome
  start_support           protection → initial_support     risk assessment; measures or refusal
  start_reintegration     initial_support → reintegration  essential-needs decision recorded; where to live
  close_case              reintegration → closed           the supervisor approves a complete checklist:
                                                           support considered, protection ended,
                                                           follow-ups done (facts read from the
                                                           support records: ``Transition.derived``)
  decline_assistance      any open stage → closed          the person declined further help
  close_transferred       any open stage → closed          transferred to another province
  record_death            any open stage → closed          the person died
  suspend                 any open stage → suspended       lost contact
  resume                  suspended → the stage it left
  reopen                  closed → reopened                new evidence or re-trafficking
  restart_intake          reopened → intake
  restart_verification    reopened → verification

Every fact names the part of the case (``FieldGroup``, the field groups of need-to-know) it is read in:
the case history shows a fact only to those who read that part.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from transitions import Machine, MachineError

from vocabulary import AgencyKind, FieldGroup, Role


def N_(message: str) -> str:
    """Mark a message for translation; the UI translates it when it shows it."""
    return message


class Stage(StrEnum):
    INTAKE = "intake"
    VERIFICATION = "verification"
    IDENTIFICATION = "identification"
    RESCUE = "rescue"
    PROTECTION = "protection"
    INITIAL_SUPPORT = "initial_support"
    REINTEGRATION = "reintegration"
    CLOSED = "closed"
    SUSPENDED = "suspended"
    REOPENED = "reopened"


# The ordinary path, in order: the stepper on the case page.
PATH = (
    Stage.INTAKE,
    Stage.VERIFICATION,
    Stage.IDENTIFICATION,
    Stage.RESCUE,
    Stage.PROTECTION,
    Stage.INITIAL_SUPPORT,
    Stage.REINTEGRATION,
    Stage.CLOSED,
)
OPEN_STAGES = (
    Stage.INTAKE,
    Stage.VERIFICATION,
    Stage.IDENTIFICATION,
    Stage.RESCUE,
    Stage.PROTECTION,
    Stage.INITIAL_SUPPORT,
    Stage.REINTEGRATION,
    Stage.REOPENED,
)
# A deadline set before a case closed or lost contact no longer runs: such a case is never overdue.
STOPPED_CLOCK = (Stage.CLOSED, Stage.SUSPENDED)


class ClosureReason(StrEnum):
    REINTEGRATED = "reintegrated"
    NOT_CONFIRMED = "not_confirmed"
    DECLINED = "declined"
    TRANSFERRED = "transferred"
    DIED = "died"


# Time limits from the stage's start (DOMAIN.md §2). Those marked configurable in DOMAIN.md can be
# overridden through the app's STAGE_TIME_LIMITS setting.
TIME_LIMITS: dict[Stage, timedelta] = {
    Stage.INTAKE: timedelta(hours=24),  # notify social affairs immediately (Art 27(1)); configurable
    Stage.VERIFICATION: timedelta(days=3),  # Art 27(2) as amended
    Stage.IDENTIFICATION: timedelta(days=15),  # configurable
    Stage.PROTECTION: timedelta(days=2),  # risk assessment; configurable
    Stage.INITIAL_SUPPORT: timedelta(days=120),  # Decree 162 Art 17, extendable by decision
    Stage.REINTEGRATION: timedelta(days=365),  # follow-ups at 1, 3, 6, 12 months; configurable
    Stage.REOPENED: timedelta(hours=24),
}

ACTING_ROLES = frozenset({Role.OFFICER, Role.CASE_WORKER, Role.SUPERVISOR})
SUPERVISOR = frozenset({Role.SUPERVISOR})


# Coded kinds stay in clear for statistics; free text is always sealed under the person's key.
CODED_KINDS = frozenset({"choice", "multi", "date", "datetime", "yes", "country", "agency", "province"})


@dataclass(frozen=True)
class Fact:
    """One thing a transition needs recorded, and the part of the case it is read in.

    ``group`` is one ``FieldGroup``, or a tuple of them when any one shows the fact (as protection is read
    by social affairs and the police alike). Free text (``kind="text"``) and ``sensitive`` facts are
    sealed; ``agency`` (an agency code, of the kinds in ``choices``) and ``province`` (a province code)
    are pickers, kept in clear.
    """

    name: str
    kind: str  # choice, multi, date, datetime, text, yes, country, agency, province
    label: str
    choices: tuple[str, ...] = ()
    required: bool = True
    sensitive: bool = False
    group: FieldGroup | tuple[FieldGroup, ...] = field(kw_only=True)
    # Agency kinds for which a check of the step refuses it without this fact although it is not
    # ``required`` for everyone: their form marks it required.
    required_for: frozenset[AgencyKind] = field(default=frozenset(), kw_only=True)

    def required_of(self, agency_kind: str | None) -> bool:
        return self.required or agency_kind in self.required_for

    @property
    def groups(self) -> frozenset[FieldGroup]:
        return frozenset(self.group if isinstance(self.group, tuple) else (self.group,))

    @property
    def sealed(self) -> bool:
        """Stored sealed: free text, or anything marked sensitive. Never in clear."""
        return self.sensitive or self.kind not in CODED_KINDS


@dataclass(frozen=True)
class Transition:
    trigger: str
    sources: tuple[Stage, ...]
    dest: Stage
    label: str
    agency_kinds: frozenset[AgencyKind]
    roles: frozenset[Role] = ACTING_ROLES
    facts: tuple[Fact, ...] = ()
    checks: tuple[Callable[[dict, str], str | None], ...] = ()
    derived: tuple[str, ...] = ()  # facts read from the case's records, not asked on the form
    closure: ClosureReason | None = None
    style: str = "primary"  # how the button looks: primary, secondary, danger


# -- facts ------------------------------------------------------------------------------------
CHANNELS = ("hotline_111", "crime_report", "border_handover", "rescue", "repatriation", "self_presented")
EVIDENCE = ("a", "b", "c", "d", "dd", "e", "g", "h", "i")  # Law Art 32(1) a–i (đ written dd)
CONFIRMATION_DOCUMENTS = ("victim_confirmation", "certificate_of_return", "other")
RESCUE_OUTCOMES = ("rescued", "not_found", "person_refused")
RISK_LEVELS = ("low", "medium", "high")
PROTECTION_DECISIONS = ("measures_applied", "refused_with_commitment", "not_needed")
RESIDENCES = ("family", "shelter", "independent", "other")
DECLINE_FORMS = ("in_writing", "verbally_with_witness")
REOPEN_REASONS = ("new_evidence", "re_trafficked")

# Which part of the case each kind of fact is read in (access.FieldGroup, DESIGN.md §5):
#  - how the person reached us and the kinds of evidence (Art 32(1) a–i): narrative, which social
#    affairs reads too (it records them); the evidence references are investigation;
#  - rescue operations, the confirmation's number and issuer: investigation;
#  - that the person was confirmed, and when: identity (every agency serving them needs their status);
#  - the person's status on the path (declined, died, lost contact, reopened, moved province, referred on
#    to social assistance): identity;
#  - protection: support or investigation (access.WORK_GROUPS[PROTECTION]);
#  - support, reintegration and the reason for closing with visits missing: support.
PROTECTION_GROUPS = (FieldGroup.SUPPORT, FieldGroup.INVESTIGATION)

CONFIRMATION = (
    Fact(
        "confirmation_document",
        "choice",
        N_("Confirmation document"),
        CONFIRMATION_DOCUMENTS,
        group=FieldGroup.IDENTITY,
    ),
    Fact(
        "confirmation_number", "text", N_("Document number"), sensitive=True, group=FieldGroup.INVESTIGATION
    ),
    Fact("confirmation_issuer", "text", N_("Issued by"), group=FieldGroup.INVESTIGATION),
    Fact("confirmation_date", "date", N_("Date of issue"), group=FieldGroup.IDENTITY),
)


# -- guards: each returns a reason the user can read, or None ---------------------------------
def social_affairs_notified(facts: dict, agency_kind: str) -> str | None:
    if agency_kind != AgencyKind.SOCIAL_AFFAIRS and not facts.get("notified_social_affairs_at"):
        return N_("Record when social affairs was notified (Law Art 27(1): immediately).")
    return None


def some_evidence(facts: dict, agency_kind: str) -> str | None:
    if not facts.get("evidence"):
        return N_("Record at least one evidence item under Law Art 32(1).")
    return None


def country_when_abroad(facts: dict, agency_kind: str) -> str | None:
    if facts.get("rescue_place") == "abroad" and not facts.get("rescue_country"):
        return N_("Give the country where the rescue took place.")
    return None


def person_rescued(facts: dict, agency_kind: str) -> str | None:
    if facts.get("rescue_outcome") not in (None, "rescued"):
        return N_("Protection starts once the person is rescued; otherwise suspend the case (lost contact).")
    return None


def essential_needs_decided(facts: dict, agency_kind: str) -> str | None:
    if facts.get("essential_needs_decided") is not True:
        return N_(
            "Reintegration starts once the essential-needs support is decided and under way or delivered, "
            "with its decision reference (Decree 162 Art 17)."
        )
    return None


def support_considered(facts: dict, agency_kind: str) -> str | None:
    if facts.get("support_considered") is not True:
        return N_(
            "Closing needs every support type the person is eligible for considered: record it as given, "
            "refused by the person or not needed."
        )
    return None


def protection_ended(facts: dict, agency_kind: str) -> str | None:
    if facts.get("protection_ended") is not True:
        return N_("Closing needs every protection measure ended or handed over to another agency.")
    return None


def follow_ups_done(facts: dict, agency_kind: str) -> str | None:
    if facts.get("follow_ups_done") is not True and not facts.get("follow_ups_reason"):
        return N_("Closing needs the reintegration follow-ups done, or the reason they were not.")
    return None


def dates_not_in_future(facts: dict, agency_kind: str, now: datetime | None = None) -> str | None:
    now = now or datetime.now().astimezone()
    for value in facts.values():
        moment = value if isinstance(value, datetime) else None
        if moment is not None and moment.tzinfo is not None and moment > now + timedelta(minutes=5):
            return N_("A date or time cannot be in the future.")
    return None


RECEIVERS = frozenset(
    {AgencyKind.POLICE, AgencyKind.BORDER_GUARD, AgencyKind.COMMUNE, AgencyKind.SOCIAL_AFFAIRS}
)
CONFIRMERS = frozenset({AgencyKind.POLICE, AgencyKind.BORDER_GUARD})
PROTECTORS = frozenset({AgencyKind.POLICE, AgencyKind.BORDER_GUARD, AgencyKind.SOCIAL_AFFAIRS})
SUPPORTERS = frozenset(
    {AgencyKind.SOCIAL_AFFAIRS, AgencyKind.COMMUNE, AgencyKind.HEALTH, AgencyKind.BORDER_GUARD}
)
REINTEGRATORS = frozenset({AgencyKind.SOCIAL_AFFAIRS, AgencyKind.WOMENS_UNION, AgencyKind.COMMUNE})
ANY_ACTOR = frozenset(
    {
        AgencyKind.POLICE,
        AgencyKind.BORDER_GUARD,
        AgencyKind.SOCIAL_AFFAIRS,
        AgencyKind.COMMUNE,
        AgencyKind.HEALTH,
        AgencyKind.WOMENS_UNION,
    }
)
CLOSABLE = OPEN_STAGES + (Stage.SUSPENDED,)

TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "start_verification",
        (Stage.INTAKE,),
        Stage.VERIFICATION,
        N_("Start verification"),
        RECEIVERS,
        facts=(
            Fact("channel", "choice", N_("How the person reached us"), CHANNELS, group=FieldGroup.NARRATIVE),
            Fact("received_at", "datetime", N_("Received at"), group=FieldGroup.NARRATIVE),
            Fact(
                "notified_social_affairs_at",
                "datetime",
                N_("Social affairs notified at"),
                required=False,
                group=FieldGroup.NARRATIVE,
                required_for=RECEIVERS - {AgencyKind.SOCIAL_AFFAIRS},  # social_affairs_notified
            ),
        ),
        checks=(social_affairs_notified, dates_not_in_future),
    ),
    Transition(
        "request_identification",
        (Stage.VERIFICATION,),
        Stage.IDENTIFICATION,
        N_("Verification done: identify"),
        frozenset({AgencyKind.SOCIAL_AFFAIRS, AgencyKind.POLICE, AgencyKind.BORDER_GUARD}),
        facts=(
            Fact(
                "evidence",
                "multi",
                N_("Evidence found (Law Art 32(1))"),
                EVIDENCE,
                group=FieldGroup.NARRATIVE,
            ),
            Fact(
                "evidence_note",
                "text",
                N_("Evidence references"),
                required=False,
                sensitive=True,
                group=FieldGroup.INVESTIGATION,
            ),
        ),
        checks=(some_evidence,),
    ),
    Transition(
        "confirm_for_rescue",
        (Stage.IDENTIFICATION,),
        Stage.RESCUE,
        N_("Identified: rescue needed"),
        CONFIRMERS,
        facts=CONFIRMATION,
    ),
    Transition(
        "confirm_safe",
        (Stage.IDENTIFICATION,),
        Stage.PROTECTION,
        N_("Identified: already safe"),
        CONFIRMERS,
        facts=CONFIRMATION,
    ),
    Transition(
        "not_confirmed",
        (Stage.IDENTIFICATION,),
        Stage.CLOSED,
        N_("Not confirmed as a victim"),
        CONFIRMERS,
        facts=(
            Fact(
                "onward_referral",
                "agency",
                N_("Onward referral to general social assistance"),
                (AgencyKind.SOCIAL_AFFAIRS, AgencyKind.COMMUNE),
                group=FieldGroup.IDENTITY,
            ),
        ),
        closure=ClosureReason.NOT_CONFIRMED,
        style="secondary",
    ),
    Transition(
        "complete_rescue",
        (Stage.RESCUE,),
        Stage.PROTECTION,
        N_("Rescue completed"),
        CONFIRMERS,
        facts=(
            Fact("rescue_date", "date", N_("Date of the operation"), group=FieldGroup.INVESTIGATION),
            Fact(
                "rescue_place", "choice", N_("Place"), ("domestic", "abroad"), group=FieldGroup.INVESTIGATION
            ),
            Fact(
                "rescue_country",
                "country",
                N_("Country (if abroad)"),
                required=False,
                group=FieldGroup.INVESTIGATION,
            ),
            Fact("rescue_outcome", "choice", N_("Outcome"), RESCUE_OUTCOMES, group=FieldGroup.INVESTIGATION),
        ),
        checks=(country_when_abroad, person_rescued),
    ),
    Transition(
        "start_support",
        (Stage.PROTECTION,),
        Stage.INITIAL_SUPPORT,
        N_("Protection decided: start support"),
        PROTECTORS,
        facts=(
            Fact("risk_level", "choice", N_("Risk assessed"), RISK_LEVELS, group=PROTECTION_GROUPS),
            Fact(
                "protection_decision",
                "choice",
                N_("Protection"),
                PROTECTION_DECISIONS,
                group=PROTECTION_GROUPS,
            ),
        ),
    ),
    Transition(
        "start_reintegration",
        (Stage.INITIAL_SUPPORT,),
        Stage.REINTEGRATION,
        N_("Start reintegration"),
        SUPPORTERS,
        facts=(
            Fact(
                "residence", "choice", N_("Where the person will live"), RESIDENCES, group=FieldGroup.SUPPORT
            ),
        ),
        derived=("essential_needs_decided",),
        checks=(essential_needs_decided,),
    ),
    Transition(
        "close_case",
        (Stage.REINTEGRATION,),
        Stage.CLOSED,
        N_("Approve closing"),
        REINTEGRATORS,
        roles=SUPERVISOR,
        facts=(
            Fact(
                "follow_ups_reason",
                "text",
                N_("If some follow-up visits were not done: why"),
                required=False,
                sensitive=True,
                group=FieldGroup.SUPPORT,
            ),
        ),
        derived=("support_considered", "protection_ended", "follow_ups_done"),
        checks=(support_considered, protection_ended, follow_ups_done),
        closure=ClosureReason.REINTEGRATED,
    ),
    Transition(
        "decline_assistance",
        CLOSABLE,
        Stage.CLOSED,
        N_("Person declines further help"),
        ANY_ACTOR,
        facts=(
            Fact(
                "declined_how",
                "choice",
                N_("How the person declined"),
                DECLINE_FORMS,
                group=FieldGroup.IDENTITY,
            ),
            Fact("declined_on", "date", N_("Date"), group=FieldGroup.IDENTITY),
        ),
        closure=ClosureReason.DECLINED,
        style="secondary",
    ),
    Transition(
        "close_transferred",
        CLOSABLE,
        Stage.CLOSED,
        N_("Transferred to another province"),
        ANY_ACTOR,
        facts=(Fact("receiving_province", "province", N_("Receiving province"), group=FieldGroup.IDENTITY),),
        closure=ClosureReason.TRANSFERRED,
        style="secondary",
    ),
    Transition(
        "record_death",
        CLOSABLE,
        Stage.CLOSED,
        N_("Record death"),
        ANY_ACTOR,
        facts=(Fact("date_of_death", "date", N_("Date of death"), group=FieldGroup.IDENTITY),),
        closure=ClosureReason.DIED,
        style="secondary",
    ),
    Transition(
        "suspend",
        OPEN_STAGES,
        Stage.SUSPENDED,
        N_("Lost contact: suspend"),
        ANY_ACTOR,
        facts=(Fact("last_contact_on", "date", N_("Last contact"), group=FieldGroup.IDENTITY),),
        style="secondary",
    ),
    *(
        Transition("resume", (Stage.SUSPENDED,), stage, N_("Contact restored: resume"), ANY_ACTOR)
        for stage in OPEN_STAGES
    ),
    Transition(
        "reopen",
        (Stage.CLOSED,),
        Stage.REOPENED,
        N_("Reopen"),
        ANY_ACTOR,
        facts=(Fact("reopen_reason", "choice", N_("Why"), REOPEN_REASONS, group=FieldGroup.IDENTITY),),
        style="secondary",
    ),
    Transition("restart_intake", (Stage.REOPENED,), Stage.INTAKE, N_("Restart at intake"), ANY_ACTOR),
    Transition(
        "restart_verification",
        (Stage.REOPENED,),
        Stage.VERIFICATION,
        N_("Restart at verification"),
        RECEIVERS,
    ),
)

# Facts a step reads from the case's records (``Transition.derived``), and the part they are read in.
DERIVED_GROUPS: dict[str, frozenset[FieldGroup]] = {
    "essential_needs_decided": frozenset({FieldGroup.SUPPORT}),
    "support_considered": frozenset({FieldGroup.SUPPORT}),
    "protection_ended": frozenset(PROTECTION_GROUPS),
    "follow_ups_done": frozenset({FieldGroup.SUPPORT}),
}


def _fact_groups() -> dict[str, frozenset[FieldGroup]]:
    found = dict(DERIVED_GROUPS)
    for t in TRANSITIONS:
        for f in t.facts:
            if found.setdefault(f.name, f.groups) != f.groups:
                raise ValueError(f"fact {f.name} is read in two different groups")
    return found


# Every recorded fact by name → the groups any one of which shows it. A name not here is shown to nobody.
FACT_GROUPS: dict[str, frozenset[FieldGroup]] = _fact_groups()
FACTS_BY_NAME: dict[str, Fact] = {f.name: f for t in TRANSITIONS for f in t.facts}


class TransitionRefused(Exception):
    """The transition may not happen now; ``reasons`` say why, in words a user can act on."""

    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@dataclass
class CasePath:
    """The plain object the machine moves: a case's stage, and where a suspension came from."""

    stage: str
    suspended_from: str | None = None
    history: list[tuple[str, str, str]] = field(default_factory=list)


def _resume_target_matches(dest: Stage) -> Callable:
    return lambda event: event.model.suspended_from == dest


def machine_specs() -> list[dict]:
    """``TRANSITIONS`` in the form pytransitions takes (the diagram draws these too)."""
    return [
        {"trigger": t.trigger, "source": [s.value for s in t.sources], "dest": t.dest.value}
        for t in TRANSITIONS
    ]


def build_machine(path: CasePath) -> Machine:
    """A machine bound to ``path`` (cheap: built per use, so no state is shared between requests)."""
    specs = machine_specs()
    for spec, t in zip(specs, TRANSITIONS, strict=True):
        if t.trigger == "resume":  # one per stage; the condition picks the stage it left
            spec["conditions"] = [_resume_target_matches(t.dest)]
    return Machine(
        model=path,
        states=[s.value for s in Stage],
        transitions=specs,
        initial=path.stage,
        auto_transitions=False,
        model_attribute="stage",
        send_event=True,
    )


def transitions_from(stage: str, suspended_from: str | None = None) -> list[Transition]:
    """The transitions the path allows from ``stage``, whoever asks."""
    found = []
    for t in TRANSITIONS:
        if stage in t.sources and (t.trigger != "resume" or t.dest == suspended_from):
            found.append(t)
    return found


def actor_may_fire(t: Transition, agency_kind: str, role: str) -> bool:
    return agency_kind in t.agency_kinds and role in t.roles


def available(stage: str, agency_kind: str, role: str, suspended_from: str | None = None) -> list[Transition]:
    """What this actor may fire now (facts are asked for on the transition's form)."""
    return [t for t in transitions_from(stage, suspended_from) if actor_may_fire(t, agency_kind, role)]


def find(trigger: str, stage: str, suspended_from: str | None = None) -> Transition | None:
    for t in transitions_from(stage, suspended_from):
        if t.trigger == trigger:
            return t
    return next((t for t in TRANSITIONS if t.trigger == trigger), None)


def refusals(
    t: Transition, *, stage: str, agency_kind: str, role: str, facts: dict, suspended_from: str | None = None
) -> list[str]:
    """Every reason this transition cannot happen now; empty when it can."""
    reasons = []
    if t not in transitions_from(stage, suspended_from):
        reasons.append(N_("This step is not possible at the case's current stage."))
    if agency_kind not in t.agency_kinds:
        reasons.append(N_("Your agency does not carry out this step."))
    if role not in t.roles:
        reasons.append(N_("Your role does not allow this step."))
    missing = [f for f in t.facts if f.required and facts.get(f.name) in (None, "", [], ())]
    if missing:
        reasons.append(N_("Some required facts are missing."))
    for check in t.checks:
        reason = check(facts, agency_kind)
        if reason:
            reasons.append(reason)
    return reasons


def fire(path: CasePath, trigger: str, *, agency_kind: str, role: str, facts: dict) -> Transition:
    """Move ``path`` along ``trigger`` after every check; raises TransitionRefused with the reasons."""
    t = find(trigger, path.stage, path.suspended_from)
    if t is None:
        raise TransitionRefused([N_("There is no such step.")])
    reasons = refusals(
        t,
        stage=path.stage,
        agency_kind=agency_kind,
        role=role,
        facts=facts,
        suspended_from=path.suspended_from,
    )
    if reasons:
        raise TransitionRefused(reasons)
    source = path.stage
    moving = CasePath(
        Stage(path.stage).value, path.suspended_from and Stage(path.suspended_from).value
    )  # a fresh object for a fresh machine
    try:
        build_machine(moving)
        if not moving.trigger(trigger):
            raise TransitionRefused([N_("This step is not possible at the case's current stage.")])
    except MachineError:
        raise TransitionRefused([N_("This step is not possible at the case's current stage.")]) from None
    path.stage = moving.stage
    path.suspended_from = source if path.stage == Stage.SUSPENDED else None
    path.history.append((source, trigger, path.stage))
    return t


def deadline(stage: str, started_at: datetime, limits: dict | None = None) -> datetime | None:
    """When the stage is due, or None where the law sets no limit."""
    limit = (limits or TIME_LIMITS).get(Stage(stage))
    return started_at + limit if limit else None
