"""The log speaks the reader's language: every code an event can hold has a label, and neither the page
nor the CSV shows a raw code (issue 16, "a confidentiality log people can read")."""

import re
from html.parser import HTMLParser
from itertools import cycle
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.helpers import add_case
from victimcare.access import FieldGroup
from victimcare.accounts.models import Role
from victimcare.audit.vocabulary import (
    Change,
    CheckedIdentifier,
    EventField,
    EventOutcome,
    EventPurpose,
    Flag,
)
from victimcare.cases.models import LegalHoldReason
from victimcare.cases.operations import ErasureReason
from vocabulary import AuditAction as Action
from vocabulary import ObjectType
from workflows import victim_path
from workflows.referral import Purpose

SOURCE = Path(__file__).resolve().parents[2] / "victimcare"
PURPOSES = {p.value for enum in (EventPurpose, Purpose, ErasureReason, LegalHoldReason) for p in enum}


def _written(pattern: str) -> set[str]:
    found = set()
    for path in SOURCE.rglob("*.py"):
        found |= set(re.findall(pattern, path.read_text()))
    return found


def test_every_purpose_written_anywhere_is_known_and_every_action_and_object_has_a_label(app):
    """Actions and object types are the vocabulary's enums (the log refuses anything else) and each
    member must have a label (``labels.register`` refuses an enum with one missing); purposes are
    still strings, so a new one is caught here, not on a reviewer's screen."""
    from victimcare.labels import _LABELS

    purposes = _written(r'purpose="([a-z_]+)"')
    assert purposes and purposes - PURPOSES == set()
    assert all((Action, a.value) in _LABELS for a in Action)
    assert all((ObjectType, o.value) in _LABELS for o in ObjectType)


def _visible_text(html: str) -> str:
    """What a reader sees of the log's table: text nodes, no attributes."""

    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts, self.inside = [], 0

        def handle_starttag(self, tag, attrs):
            if tag == "table" and ("data-testid", "audit-events") in attrs:
                self.inside = 1
            elif self.inside:
                self.inside += 1 if tag not in ("input", "br") else 0

        def handle_endtag(self, tag):
            if self.inside and tag not in ("input", "br"):
                self.inside -= 1

        def handle_data(self, data):
            if self.inside:
                self.parts.append(data)

    parser = Text()
    parser.feed(html)
    return " ".join(parser.parts)


CODES = sorted(
    {
        *(e.value for enum in (Action, ObjectType, EventOutcome, EventField, Change, Flag) for e in enum),
        *(e.value for enum in (FieldGroup, Role, CheckedIdentifier) for e in enum),
        *PURPOSES,
        *(s.value for s in victim_path.Stage),
        *(t.trigger for t in victim_path.TRANSITIONS),
        "police-demo",
        "social-demo",
        "health-demo",
        "referral",
        "transfer",
        "consent",
    }
    - {"ok"}  # "ok" is not a word of either language's text here, but is short enough to hide in one
)
USERS = ["police1", "social1", "health1", "supervisor3", "auditor1", "admin1", "steering1"]


def _details(action: str, transition) -> dict:
    return {
        "transition": {"trigger": transition.trigger, "from": transition.sources[0], "to": transition.dest},
        "update": {"from": "police-demo", "to": "social-demo"},
        "refer": {
            "kind": "transfer",
            "to": "social-demo",
            "legal_basis": "danger_to_life",
            "urgency": "urgent",
        },
        "accept": {"kind": "referral", "by": "receiver", "status": "accepted"},
        "search": {"index": "id_number", "results": 2},
        "user_change": {"change": "access", "role": "supervisor", "agency": "health-demo"},
        "agency_change": {"code": "social-demo", "change": "deactivated"},
        "approval_request": {"kind": "role_grant", "role": "officer", "agency": "police-demo"},
        "approval_decision": {"kind": "erasure", "agency": "police-demo"},
        "consent": {"given": True, "agency_kinds": ["social_affairs"]},
        "legal_hold": {"change": "set"},
        "create": {"type": "medical", "status": "planned"},
        "export": {"rows": 3, "filters": {"case": "42"}},
        "review": {"events": [1, 2], "count": 2, "note_sha256": "0" * 64},
        "denied": {"reason": "rate_limit"},
    }.get(action, {})


@pytest.fixture
def every_kind_of_event(seeded):
    """One event of every action and of every object type, with every field name, purpose, outcome
    and role, as the app writes them."""
    from victimcare.accounts.models import User
    from victimcare.audit import operations as audit
    from victimcare.cases.models import Case
    from victimcare.extensions import db

    reference = add_case(seeded, "police-demo")
    fields = [*(g.value for g in FieldGroup), *(f.value for f in EventField)]
    with seeded.app_context():
        case = db.session.scalar(sa.select(Case).where(Case.reference == reference))
        users = {u.username: u for u in db.session.scalars(sa.select(User).where(User.username.in_(USERS)))}
        actions, objects = list(Action), list(ObjectType)
        purposes, outcomes, actors = cycle(sorted(PURPOSES)), cycle(EventOutcome), cycle(USERS)
        transitions = cycle(victim_path.TRANSITIONS)
        for n in range(max(len(actions), len(objects), len(victim_path.TRANSITIONS))):
            action = actions[n % len(actions)]
            audit.record(
                action,
                actor=users[next(actors)],
                object_type=objects[n % len(objects)],
                object_id=f"object-{n}",
                case=case if n % 2 else None,
                fields=fields if n < 3 else fields[n % len(fields) : n % len(fields) + 2],
                purpose=next(purposes),
                outcome=next(outcomes).value,
                detail=_details(action.value, next(transitions)),
            )
        for transition in victim_path.TRANSITIONS:  # every step, by name
            audit.record(Action.TRANSITION, case=case, detail=_details("transition", transition))
        db.session.commit()
    return reference


def _raw_codes_in(text: str) -> list[str]:
    return [code for code in CODES if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text)]


def test_the_page_shows_labels_and_no_raw_code(login_as, every_kind_of_event):
    page = login_as("auditor1").get("/audit").text
    shown = _visible_text(page)
    assert "Thực hiện bước" in shown and "Xem" in shown and "Lãnh đạo giám sát" in shown  # action, role
    assert "Cơ quan Công an" in shown or "Công an" in shown  # agency names, not codes
    assert _raw_codes_in(shown) == []


def test_a_transition_names_its_step(login_as, seeded, every_kind_of_event):
    from flask_babel import force_locale, gettext

    page = _visible_text(
        login_as("auditor1").get(f"/audit?action=transition&case={every_kind_of_event}").text
    )
    with seeded.test_request_context(), force_locale("vi"):
        steps = {gettext(t.label) for t in victim_path.TRANSITIONS}
    assert all(step in page for step in steps)


def test_the_csv_has_labelled_columns_local_times_and_no_raw_code(login_as, every_kind_of_event):
    response = login_as("auditor1").get("/audit/export.csv")
    text = response.data.decode("utf-8-sig")
    header, *lines = text.splitlines()
    assert header.startswith("STT,Thời điểm (giờ Việt Nam),Người dùng,Cơ quan,Vai trò,Thao tác")
    assert re.search(r",\d\d/\d\d/\d{4} \d\d:\d\d,", lines[0])  # local dd/mm/yyyy hh:mm, not ISO UTC
    body = "\n".join(",".join(line.split(",")[:-1]) for line in lines)  # without the hash column
    assert _raw_codes_in(body) == []
