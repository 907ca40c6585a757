"""The referral machine without Flask: who answers, in which state, and the answer deadlines."""

import pytest

from workflows.referral import (
    RECEIVER,
    SENDER,
    STEPS,
    ReferralState,
    ReferralStatus,
    move,
)
from workflows.victim_path import TransitionRefused


def test_accepted_then_completed():
    state = ReferralState(ReferralStatus.PENDING)
    move(state, "accept", side=RECEIVER)
    move(state, "complete", side=SENDER)
    assert state.status == ReferralStatus.COMPLETED


def test_declining_needs_a_reason():
    with pytest.raises(TransitionRefused) as refused:
        move(ReferralState(ReferralStatus.PENDING), "decline", side=RECEIVER, reason="  ")
    assert refused.value.reasons == ["Give the reason for declining."]
    state = ReferralState(ReferralStatus.PENDING)
    move(state, "decline", side=RECEIVER, reason="Không đủ chỗ ở")
    assert state.status == ReferralStatus.DECLINED


@pytest.mark.parametrize("step", STEPS, ids=[s.trigger for s in STEPS])
def test_every_step_refuses_the_wrong_side_and_the_wrong_state(step):
    wrong_side = next(side for side in (SENDER, RECEIVER, "clock") if side not in step.by)
    with pytest.raises(TransitionRefused) as refused:
        move(ReferralState(step.sources[0]), step.trigger, side=wrong_side, reason="x")
    assert "Only the other agency can take this step." in refused.value.reasons
    wrong_state = next(s for s in ReferralStatus if s not in step.sources)
    with pytest.raises(TransitionRefused) as refused:
        move(ReferralState(wrong_state), step.trigger, side=next(iter(step.by)), reason="x")
    assert "This referral has already been answered or closed." in refused.value.reasons


def test_the_second_answer_to_the_same_referral_is_refused():
    state = ReferralState(ReferralStatus.PENDING)
    move(state, "accept", side=RECEIVER)
    with pytest.raises(TransitionRefused):
        move(state, "decline", side=RECEIVER, reason="trễ")
    assert state.status == ReferralStatus.ACCEPTED
