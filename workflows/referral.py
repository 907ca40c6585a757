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
from datetime import datetime, timedelta
from enum import StrEnum

from transitions import Machine, MachineError

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

# Answer deadlines per urgency (configurable in the app): urgent 24 hours, normal 3 working days.
ANSWER_WITHIN = {Urgency.URGENT: timedelta(hours=24)}
NORMAL_WORKING_DAYS = 3

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

    receivers: frozenset[str]
    minimum: frozenset[str]
    work_group: str | None = None


_ID, _CONTACT, _NARRATIVE = "identity", "contact", "narrative"
PURPOSES: dict[Purpose, PurposeRule] = {
    Purpose.VERIFICATION: PurposeRule(
        frozenset({"police", "border_guard"}), frozenset({_ID, _CONTACT, _NARRATIVE})
    ),
    Purpose.RESCUE: PurposeRule(
        frozenset({"police", "border_guard"}), frozenset({_ID, _CONTACT, _NARRATIVE})
    ),
    Purpose.PROTECTION: PurposeRule(
        frozenset({"police", "border_guard", "social_affairs"}), frozenset({_ID, _CONTACT})
    ),
    Purpose.SHELTER: PurposeRule(
        frozenset({"social_affairs", "womens_union"}), frozenset({_ID, _CONTACT}), "support"
    ),
    Purpose.MEDICAL_CARE: PurposeRule(frozenset({"health"}), frozenset({_ID}), "medical"),
    Purpose.PSYCHOLOGICAL_CARE: PurposeRule(
        frozenset({"health", "social_affairs"}), frozenset({_ID}), "medical"
    ),
    Purpose.LEGAL_AID: PurposeRule(frozenset({"justice"}), frozenset({_ID, _NARRATIVE})),
    Purpose.SCHOOLING: PurposeRule(
        frozenset({"social_affairs", "womens_union", "commune"}), frozenset({_ID, _CONTACT}), "support"
    ),
    Purpose.LIVELIHOOD: PurposeRule(
        frozenset({"social_affairs", "womens_union", "commune"}), frozenset({_ID, _CONTACT}), "support"
    ),
    Purpose.REPATRIATION: PurposeRule(
        frozenset({"foreign_affairs", "border_guard"}), frozenset({_ID, _CONTACT})
    ),
    Purpose.REINTEGRATION: PurposeRule(
        frozenset({"social_affairs", "commune", "womens_union"}), frozenset({_ID, _CONTACT}), "support"
    ),
}


@dataclass
class ReferralState:
    status: str


def answer_deadline(sent_at: datetime, urgency: str, add_working_days) -> datetime:
    """When the receiver must answer; ``add_working_days`` knows the Vietnamese calendar."""
    if urgency == Urgency.URGENT:
        return sent_at + ANSWER_WITHIN[Urgency.URGENT]
    return add_working_days(sent_at, NORMAL_WORKING_DAYS)


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
