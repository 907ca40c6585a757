"""The handoff between agencies (chuyển tuyến) as a state machine. Pure Python, like victim_path.

Triggers:
  accept     pending → accepted    by the receiving agency
  decline    pending → declined    by the receiving agency, with a reason
  withdraw   pending | accepted → withdrawn   by the sending agency, or when the consent it
                                              rested on is withdrawn
  expire     pending → expired     by the clock, once the answer deadline has passed
  complete   accepted → completed  by either side, when the purpose is served
A *referral* gives the receiver scoped access while accepted; a *transfer* moves the case's
ownership to the receiver on acceptance.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from transitions import Machine, MachineError

from vocabulary import AgencyKind, FieldGroup
from workflows.victim_path import N_, TransitionRefused


class ReferralStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    COMPLETED = "completed"


class ReferralKind(StrEnum):
    REFERRAL = "referral"
    TRANSFER = "transfer"


class Urgency(StrEnum):
    URGENT = "urgent"
    NORMAL = "normal"


ACTIVE = frozenset({ReferralStatus.ACCEPTED})
OPEN = frozenset({ReferralStatus.PENDING, ReferralStatus.ACCEPTED})

SENDER, RECEIVER, CLOCK, CONSENT = "sender", "receiver", "clock", "consent"


@dataclass(frozen=True)
class Step:
    trigger: str
    sources: tuple[ReferralStatus, ...]
    dest: ReferralStatus
    by: frozenset[str]
    needs_reason: bool = False


STEPS: tuple[Step, ...] = (
    Step("accept", (ReferralStatus.PENDING,), ReferralStatus.ACCEPTED, frozenset({RECEIVER})),
    Step(
        "decline",
        (ReferralStatus.PENDING,),
        ReferralStatus.DECLINED,
        frozenset({RECEIVER}),
        needs_reason=True,
    ),
    Step(
        "withdraw",
        (ReferralStatus.PENDING, ReferralStatus.ACCEPTED),
        ReferralStatus.WITHDRAWN,
        frozenset({SENDER, CONSENT}),
    ),
    Step("expire", (ReferralStatus.PENDING,), ReferralStatus.EXPIRED, frozenset({CLOCK})),
    Step("complete", (ReferralStatus.ACCEPTED,), ReferralStatus.COMPLETED, frozenset({SENDER, RECEIVER})),
)


class Purpose(StrEnum):
    """What the receiving agency is asked to do (DOMAIN.md §2–§4)."""

    VERIFICATION = "verification"
    RESCUE = "rescue"
    PROTECTION = "protection"
    SHELTER = "shelter_essential_needs"
    MEDICAL_CARE = "medical_care"
    PSYCHOLOGICAL_CARE = "psychological_care"
    LEGAL_AID = "legal_aid"
    SCHOOLING = "schooling_vocational_training"
    LIVELIHOOD = "loans_livelihood"
    REPATRIATION = "repatriation"
    REINTEGRATION = "reintegration_follow_up"


class LegalBasis(StrEnum):
    """Why personal data may be shared: the person's consent, or a legal duty (flagged for review)."""

    CONSENT = "consent"
    CRIMINAL_INVESTIGATION = "criminal_investigation"
    DANGER_TO_LIFE = "danger_to_life"
    COURT_OR_PROCURACY_REQUEST = "court_or_procuracy_request"


@dataclass(frozen=True)
class PurposeRule:
    """Who may receive a purpose, the field groups it needs at least, and the group the receiver writes."""

    receivers: frozenset[AgencyKind]
    minimum: frozenset[FieldGroup]
    work_group: FieldGroup | None = None


_ID, _CONTACT, _NARRATIVE = FieldGroup.IDENTITY, FieldGroup.CONTACT, FieldGroup.NARRATIVE
PURPOSES: dict[Purpose, PurposeRule] = {
    Purpose.VERIFICATION: PurposeRule(
        frozenset({AgencyKind.POLICE, AgencyKind.BORDER_GUARD}), frozenset({_ID, _CONTACT, _NARRATIVE})
    ),
    Purpose.RESCUE: PurposeRule(
        frozenset({AgencyKind.POLICE, AgencyKind.BORDER_GUARD}), frozenset({_ID, _CONTACT, _NARRATIVE})
    ),
    Purpose.PROTECTION: PurposeRule(
        frozenset({AgencyKind.POLICE, AgencyKind.BORDER_GUARD, AgencyKind.SOCIAL_AFFAIRS}),
        frozenset({_ID, _CONTACT}),
    ),
    Purpose.SHELTER: PurposeRule(
        frozenset({AgencyKind.SOCIAL_AFFAIRS, AgencyKind.WOMENS_UNION}),
        frozenset({_ID, _CONTACT}),
        FieldGroup.SUPPORT,
    ),
    Purpose.MEDICAL_CARE: PurposeRule(frozenset({AgencyKind.HEALTH}), frozenset({_ID}), FieldGroup.MEDICAL),
    Purpose.PSYCHOLOGICAL_CARE: PurposeRule(
        frozenset({AgencyKind.HEALTH, AgencyKind.SOCIAL_AFFAIRS}), frozenset({_ID}), FieldGroup.MEDICAL
    ),
    Purpose.LEGAL_AID: PurposeRule(frozenset({AgencyKind.JUSTICE}), frozenset({_ID, _NARRATIVE})),
    Purpose.SCHOOLING: PurposeRule(
        frozenset({AgencyKind.SOCIAL_AFFAIRS, AgencyKind.WOMENS_UNION, AgencyKind.COMMUNE}),
        frozenset({_ID, _CONTACT}),
        FieldGroup.SUPPORT,
    ),
    Purpose.LIVELIHOOD: PurposeRule(
        frozenset({AgencyKind.SOCIAL_AFFAIRS, AgencyKind.WOMENS_UNION, AgencyKind.COMMUNE}),
        frozenset({_ID, _CONTACT}),
        FieldGroup.SUPPORT,
    ),
    Purpose.REPATRIATION: PurposeRule(
        frozenset({AgencyKind.FOREIGN_AFFAIRS, AgencyKind.BORDER_GUARD}), frozenset({_ID, _CONTACT})
    ),
    Purpose.REINTEGRATION: PurposeRule(
        frozenset({AgencyKind.SOCIAL_AFFAIRS, AgencyKind.COMMUNE, AgencyKind.WOMENS_UNION}),
        frozenset({_ID, _CONTACT}),
        FieldGroup.SUPPORT,
    ),
}


@dataclass
class ReferralState:
    status: str


def move(state: ReferralState, trigger: str, *, side: str, reason: str | None = None) -> Step:
    """Apply ``trigger`` for ``side`` (sender, receiver or clock); raises TransitionRefused with reasons."""
    step = next((s for s in STEPS if s.trigger == trigger), None)
    if step is None:
        raise TransitionRefused([N_("There is no such step.")])
    reasons = []
    if state.status not in step.sources:
        reasons.append(N_("This referral has already been answered or closed."))
    if side not in step.by:
        reasons.append(N_("Only the other agency can take this step."))
    if step.needs_reason and not (reason or "").strip():
        reasons.append(N_("Give the reason for declining."))
    if reasons:
        raise TransitionRefused(reasons)
    model = ReferralState(ReferralStatus(state.status).value)
    Machine(
        model=model,
        states=[s.value for s in ReferralStatus],
        transitions=[
            {"trigger": s.trigger, "source": [x.value for x in s.sources], "dest": s.dest.value}
            for s in STEPS
        ],
        initial=model.status,
        auto_transitions=False,
        model_attribute="status",
    )
    try:
        model.trigger(trigger)
    except MachineError:
        raise TransitionRefused([N_("This referral has already been answered or closed.")]) from None
    state.status = model.status
    return step
