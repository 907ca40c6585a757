"""Every fact in a case's history carries its label ("Hình thức tiếp nhận: …"), including the facts a
step reads from the records rather than its form (closing checklist, essential needs decided)."""

from __future__ import annotations

import re
import uuid

from victimcare.access import FieldGroup
from victimcare.cases.history import stage_entry
from victimcare.cases.models import StageEvent
from workflows import victim_path
from workflows.victim_path import Stage


def test_every_fact_the_history_may_show_has_a_label(app):
    from victimcare.cases.history import _label

    with app.test_request_context():
        unlabelled = [name for name in victim_path.FACT_GROUPS if not _label(name)]
    assert unlabelled == []


def _closing_event() -> StageEvent:
    return StageEvent(
        id=uuid.uuid4(),
        trigger="close_case",
        from_stage=Stage.REINTEGRATION,
        to_stage=Stage.CLOSED,
        facts={"support_considered": True, "protection_ended": True, "follow_ups_done": False},
    )


def test_the_closing_checklist_in_the_history_is_labelled_not_bare_yes_and_no(app):
    with app.test_request_context():
        entry = stage_entry(_closing_event(), frozenset(FieldGroup), set())
        shown = [(fact.label, fact.value) for fact in entry.facts]
    assert shown == [
        ("Đã xem xét cùng người đó mọi chế độ hỗ trợ được hưởng", "Có"),
        ("Các biện pháp bảo vệ đã kết thúc hoặc đã bàn giao", "Có"),
        ("Đã thăm theo dõi, hoặc có lý do chưa thăm", "Không"),
    ]


def test_the_case_page_history_reads_label_colon_value(login_as, seeded):
    from tests.helpers import add_case, fire_step

    reference = add_case(seeded, "police-demo")
    police = login_as("police1")
    step = {
        "channel": "hotline_111",
        "received_at": "20/11/2026 03:17",
        "notified_social_affairs_at": "20/11/2026 03:40",
    }
    assert fire_step(police, reference, "start_verification", step).status_code == 302
    page = police.get(f"/cases/{reference}").text
    facts = re.search(
        r'data-testid="stage-step">.*?<div class="small text-body-secondary">(.*?)</div>', page, re.S
    )
    text = re.sub(r"<[^>]+>", "", facts.group(1))
    assert text == (
        "Hình thức tiếp nhận: Cuộc gọi đến Tổng đài 111; Thời điểm tiếp nhận: 20/11/2026 03:17; "
        "Thời điểm thông báo cơ quan công tác xã hội: 20/11/2026 03:40"
    )
