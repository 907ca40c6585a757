"""``flask seed-demo``: demo agencies and users so a new user sees a working system.

Never in production, and never twice: a second run finds the demo agencies and stops.
"""

from __future__ import annotations

import base64
import hashlib

import click
from flask import current_app
from flask.cli import with_appcontext

from victimcare.accounts import operations, two_factor
from victimcare.accounts.models import AgencyKind, Role
from victimcare.database import utcnow
from victimcare.extensions import db

PROVINCE = "15"  # Lào Cai (demo)
COMMUNE_A = "02647"  # demo border commune
COMMUNE_B = "02683"  # demo commune with a health station

AGENCIES = [
    ("police-demo", "Công an tỉnh Lào Cai (demo)", AgencyKind.POLICE, None),
    ("border-demo", "Đồn Biên phòng Cửa khẩu Quốc tế Lào Cai (demo)", AgencyKind.BORDER_GUARD, COMMUNE_A),
    ("social-demo", "Sở Y tế tỉnh Lào Cai – Phòng Bảo trợ xã hội (demo)", AgencyKind.SOCIAL_AFFAIRS, None),
    ("health-demo", "Trạm Y tế xã Bát Xát (demo)", AgencyKind.HEALTH, COMMUNE_B),
    ("womens-union-demo", "Hội Liên hiệp Phụ nữ tỉnh Lào Cai (demo)", AgencyKind.WOMENS_UNION, None),
]

USERS = [
    ("police1", "Trần Văn Hùng", "police-demo", Role.OFFICER),
    ("border1", "Lý Văn Páo", "border-demo", Role.OFFICER),
    ("social1", "Nguyễn Thị Lan", "social-demo", Role.CASE_WORKER),
    ("health1", "Phạm Thị Hoa", "health-demo", Role.CASE_WORKER),
    ("supervisor1", "Hoàng Minh Đức", "social-demo", Role.SUPERVISOR),
    # Erasure takes two supervisors of the owning agency.
    ("supervisor2", "Đinh Thị Thu", "social-demo", Role.SUPERVISOR),
    ("supervisor3", "Bùi Văn Toàn", "police-demo", Role.SUPERVISOR),
    ("auditor1", "Vũ Thị Mai", "social-demo", Role.AUDITOR),
    ("admin1", "Đỗ Quang Huy", "social-demo", Role.ADMIN),
    ("admin2", "Lê Thị Ngọc", "social-demo", Role.ADMIN),  # approves admin1's role grants and agency changes
    ("steering1", "Lê Văn Thành", "police-demo", Role.STEERING),  # the province's Ban Chỉ đạo: figures only
]


# Invented people: any likeness to a real person is accidental.
FAMILY = [
    "Lò",
    "Giàng",
    "Vàng",
    "Sùng",
    "Thào",
    "Hờ",
    "Lù",
    "Chảo",
    "Nguyễn",
    "Trần",
    "Đặng",
    "Hoàng",
    "Phạm",
    "Mùa",
    "Tẩn",
]
MIDDLE_F, MIDDLE_M = ["Thị"], ["Văn", "A", "Seo"]
GIVEN_F = [
    "Xuyến",
    "Mai",
    "Dợ",
    "Dua",
    "Di",
    "Hương",
    "Mẩy",
    "Nga",
    "Sính",
    "Sua",
    "Hoa",
    "Lan",
    "Dung",
    "Chư",
    "Mỷ",
]
GIVEN_M = ["Dình", "Páo", "Chứ", "Hùng", "Lử", "Sáng", "Pháng", "Thắng"]
MINORITY = {"Lò", "Giàng", "Vàng", "Sùng", "Thào", "Hờ", "Lù", "Chảo", "Mùa", "Tẩn"}
DEMO_CASES = 40

# Where the demo cases stand: (owning agency, the steps already taken). Step times are spread at random,
# and each open case's current stage is placed against its time limit (DEADLINE_SHARES).
STORYLINES = [
    ("police-demo", []),
    ("police-demo", ["start_verification"]),
    ("police-demo", ["start_verification", "request_identification"]),
    ("border-demo", ["start_verification", "request_identification", "confirm_for_rescue"]),
    (
        "border-demo",
        ["start_verification", "request_identification", "confirm_for_rescue", "complete_rescue"],
    ),
    ("police-demo", ["start_verification", "request_identification", "confirm_safe"]),
    ("social-demo", ["start_verification", "request_identification", "confirm_safe", "start_support"]),
    (
        "social-demo",
        [
            "start_verification",
            "request_identification",
            "confirm_safe",
            "start_support",
            "start_reintegration",
        ],
    ),
    (
        "social-demo",
        [
            "start_verification",
            "request_identification",
            "confirm_safe",
            "start_support",
            "start_reintegration",
            "close_case",
        ],
    ),
    ("border-demo", ["start_verification", "suspend"]),
    ("police-demo", ["start_verification", "request_identification", "not_confirmed"]),
    ("social-demo", ["start_verification", "decline_assistance"]),
]

# How much of its stage's time limit each open case has used, in turn: most are within it (some due
# soon), two in seven past it. A newcomer's first list then shows deadlines before and after today,
# a few overdue, not a wall of red. Seven, prime to the twelve storylines, so every stage gets a mix.
DEADLINE_SHARES = (0.15, 0.5, 1.25, 0.8, 0.3, 0.95, 1.6)
OLDEST_STAGE_START_DAYS = 200  # the current demo cases cover the last seven months (history: before)

DEMO_FACTS = {
    "start_verification": {"channel": "hotline_111", "notified_social_affairs_at": None, "received_at": None},
    "request_identification": {"evidence": ["b", "e"]},
    "confirm_for_rescue": {
        "confirmation_document": "victim_confirmation",
        "confirmation_number": "12/XN-BP",
        "confirmation_issuer": "Đồn Biên phòng (demo)",
        "confirmation_date": None,
    },
    "confirm_safe": {
        "confirmation_document": "certificate_of_return",
        "confirmation_number": "88/GCN",
        "confirmation_issuer": "Công an tỉnh (demo)",
        "confirmation_date": None,
    },
    "complete_rescue": {
        "rescue_date": None,
        "rescue_place": "abroad",
        "rescue_country": "CN",
        "rescue_outcome": "rescued",
    },
    "start_support": {"risk_level": "medium", "protection_decision": "measures_applied"},
    "start_reintegration": {"essential_needs_decided": True, "residence": "family"},
    "close_case": {"support_considered": True, "protection_ended": True, "follow_ups_done": True},
    "suspend": {"last_contact_on": None},
    "not_confirmed": {"onward_referral": "social-demo"},  # an agency code: the picker's value
    "decline_assistance": {"declined_how": "in_writing", "declined_on": None},
}


def _facts_at(trigger: str, when) -> dict:
    facts = dict(DEMO_FACTS[trigger])
    for name, value in facts.items():
        if value is None:
            facts[name] = when if name.endswith("_at") else when.date()
    return facts


def seed_demo_cases(agencies: dict, count: int = DEMO_CASES) -> None:
    """About forty cases over every stage, three agencies and both sexes; some overdue."""
    import random
    from datetime import timedelta

    from victimcare.cases import operations as cases
    from victimcare.cases.path import record_step, time_limits
    from victimcare.database import utcnow
    from workflows import victim_path

    rng = random.Random(2026)
    now = utcnow()
    limits = time_limits()
    for i in range(count):
        agency_code, steps = STORYLINES[i % len(STORYLINES)]
        female = rng.random() < 0.75
        family = rng.choice(FAMILY)
        name = f"{family} {rng.choice(MIDDLE_F if female else MIDDLE_M)} {rng.choice(GIVEN_F if female else GIVEN_M)}"
        born = (now - timedelta(days=rng.randint(13 * 365, 40 * 365))).date()
        victim = cases.new_victim(
            {
                "full_name": name,
                "gender": "Feminine" if female else "Masculine",
                "date_of_birth": born,
                "phone": f"+8491{rng.randint(0, 9_999_999):07d}" if rng.random() < 0.6 else None,
                "nationality": "VN",
                "is_ethnic_minority": family in MINORITY,
                "province_code": PROVINCE,
            }
        )
        db.session.add(victim)
        gaps = [timedelta(days=rng.randint(0, 4), hours=rng.randint(1, 20)) for _ in steps]
        current = now - _stage_age(limits.get(_final_stage(steps)), i, rng)
        opened = current - sum(gaps, timedelta())
        case = cases.open_case(
            victim=victim,
            agency=agencies[agency_code],
            created_by=None,
            facts={
                "exploitation": [rng.choice(["SexualExploitation", "ForcedMarriage", "ForcedLabour"])],
                "trafficked_abroad": True,
                "destination_country": "CN",
                "created_at": opened,
            },
        )
        cases_path = victim_path.CasePath(case.stage)
        when = opened
        for trigger, gap in zip(steps, gaps, strict=True):
            when += gap
            facts = _facts_at(trigger, when)
            transition = victim_path.find(trigger, cases_path.stage, cases_path.suspended_from)
            victim_path.fire(
                cases_path,
                trigger,
                agency_kind=sorted(transition.agency_kinds)[0],
                role=Role.SUPERVISOR,
                facts=facts,
            )
            record_step(
                case, transition, cases_path, facts, actor_id=None, agency_id=case.owning_agency_id, when=when
            )
        if not steps:
            from victimcare.cases.path import start_stage

            start_stage(case, victim_path.Stage.INTAKE, opened)


def _final_stage(steps: list[str]):
    """The stage a storyline's steps lead to."""
    from workflows import victim_path

    stage, suspended_from = victim_path.Stage.INTAKE, None
    for trigger in steps:
        transition = victim_path.find(trigger, stage, suspended_from)
        suspended_from = stage if transition.dest == victim_path.Stage.SUSPENDED else None
        stage = transition.dest
    return stage


def _stage_age(limit, i: int, rng):
    """How long ago the case's current stage began: its share of the time limit (DEADLINE_SHARES),
    or, for a stage without one (closed, suspended, rescue), a random age."""
    from datetime import timedelta

    oldest = timedelta(days=OLDEST_STAGE_START_DAYS)
    if limit is None:
        return timedelta(days=rng.randint(2, 60), hours=rng.randint(0, 23))
    return min(limit * DEADLINE_SHARES[i % len(DEADLINE_SHARES)], oldest)


# Two years of closed cases behind the current ones, so the statistics have trends, a year-earlier
# column and a few small cells. How people reached us and where they were taken follow the shares
# Vietnamese reports give: mostly women, mostly to China, many via border handovers.
HISTORY_MONTHS = range(7, 25)  # months before today; the current demo cases cover the last seven
HISTORY_CHANNELS = [
    ("border_handover", 5),
    ("hotline_111", 3),
    ("crime_report", 2),
    ("rescue", 2),
    ("self_presented", 2),
    ("repatriation", 1),
]
HISTORY_DESTINATIONS = [("CN", 12), ("LA", 2), ("KH", 1), ("MY", 1), (None, 2)]
HISTORY_ENDINGS = [
    (
        [
            "start_verification",
            "request_identification",
            "confirm_safe",
            "start_support",
            "start_reintegration",
            "close_case",
        ],
        6,
    ),
    (["start_verification", "request_identification", "not_confirmed"], 2),
    (["start_verification", "decline_assistance"], 1),
]


def _weighted(rng, pairs):
    return rng.choices([value for value, _ in pairs], weights=[weight for _, weight in pairs])[0]


def seed_demo_history(agencies: dict) -> None:
    """About 220 closed cases received 7 to 24 months ago (fixed seed, dates relative to today)."""
    import random
    from datetime import timedelta

    from victimcare.cases import operations as cases
    from victimcare.cases.path import record_step
    from victimcare.database import utcnow
    from victimcare.support.models import SupportService
    from workflows import victim_path

    rng = random.Random(193)
    now = utcnow()
    owners = ["social-demo", "border-demo", "police-demo", "social-demo"]
    for months in HISTORY_MONTHS:
        for _ in range(rng.randint(6, 18)):
            female = rng.random() < 0.85
            family = rng.choice(FAMILY)
            given = rng.choice(GIVEN_F if female else GIVEN_M)
            name = f"{family} {rng.choice(MIDDLE_F if female else MIDDLE_M)} {given}"
            received = now - timedelta(days=30 * months + rng.randint(0, 29), hours=rng.randint(0, 23))
            victim = cases.new_victim(
                {
                    "full_name": name,
                    "gender": "Feminine" if female else "Masculine",
                    "birth_year": received.year - rng.choice([11, 14, 15, 16, 17, 19, 22, 25, 28, 33, 41]),
                    "nationality": "VN",
                    "is_ethnic_minority": family in MINORITY,
                    "province_code": PROVINCE,
                }
            )
            db.session.add(victim)
            destination = _weighted(rng, HISTORY_DESTINATIONS)
            case = cases.open_case(
                victim=victim,
                agency=agencies[rng.choice(owners)],
                created_by=None,
                facts={
                    "exploitation": [rng.choice(["SexualExploitation", "ForcedMarriage", "ForcedLabour"])],
                    "trafficked_abroad": destination is not None,
                    "destination_country": destination,
                    "intake_channel": _weighted(rng, HISTORY_CHANNELS),
                    "received_at": received,
                    "created_at": received,
                },
            )
            path = victim_path.CasePath(case.stage)
            when = received
            for trigger in _weighted(rng, HISTORY_ENDINGS):
                when += timedelta(days=rng.randint(1, 25), hours=rng.randint(1, 20))
                facts = _facts_at(trigger, when)
                transition = victim_path.find(trigger, path.stage, path.suspended_from)
                victim_path.fire(
                    path,
                    trigger,
                    agency_kind=sorted(transition.agency_kinds)[0],
                    role=Role.SUPERVISOR,
                    facts=facts,
                )
                record_step(
                    case, transition, path, facts, actor_id=None, agency_id=case.owning_agency_id, when=when
                )
                if trigger == "start_support":
                    db.session.add(
                        SupportService(
                            case=case,
                            person_id=victim.id,
                            beneficiary="victim",
                            support_type="essential_needs",
                            status="delivered",
                            starts_on=when.date(),
                            decision_reference="demo",
                        )
                    )


def seed_demo(*, with_cases: bool = True) -> bool:
    """Create the demo agencies, users and (unless told not to) cases; False when already there."""
    if operations.find_agency("police-demo") is not None:
        return False
    agencies = {}
    for code, name, kind, commune in AGENCIES:
        agencies[code] = operations.save_agency(
            None, code=code, name=name, kind=kind, province_code=PROVINCE, commune_code=commune
        )
    password = current_app.config["DEMO_PASSWORD"]
    for username, display_name, agency_code, role in USERS:
        user = operations.create_user(
            username=username,
            display_name=display_name,
            agency=agencies[agency_code],
            role=role,
            password=password,
            must_change_password=False,
            check_policy=False,
        )
        if two_factor.required_for(user):
            user.totp_secret = demo_totp_secret(username)
            user.totp_enabled_at = utcnow()
    if with_cases:
        seed_demo_cases(agencies)
        seed_demo_history(agencies)
        seed_demo_referrals(agencies)
        seed_demo_support(agencies)
        seed_demo_assignments(agencies)
    return True


# (sender, receiver, purpose, kind, what happens after sending): one of each state, so health1 sees
# only the cases referred to health and social1 also the cases transferred to social affairs.
DEMO_REFERRALS = [
    ("police1", "health-demo", "medical_care", "referral", []),
    ("police1", "health-demo", "medical_care", "referral", [("health1", "accept")]),
    ("border1", "health-demo", "psychological_care", "referral", [("health1", "accept")]),
    ("police1", "health-demo", "medical_care", "referral", [("health1", "decline")]),
    ("police1", "health-demo", "medical_care", "referral", [("health1", "accept"), ("health1", "complete")]),
    ("border1", "health-demo", "medical_care", "referral", [("border1", "withdraw")]),
    ("police1", "health-demo", "medical_care", "referral", [("clock", "expire")]),
    ("border1", "social-demo", "protection", "transfer", [("social1", "accept")]),
    ("border1", "social-demo", "shelter_essential_needs", "transfer", []),
    ("police1", "social-demo", "shelter_essential_needs", "referral", [("social1", "accept")]),
]


def seed_demo_referrals(agencies: dict) -> None:
    """Referrals in every state, each resting on the person's recorded consent."""
    from datetime import timedelta

    import sqlalchemy as sa

    from victimcare.accounts.models import User
    from victimcare.cases.models import Case
    from victimcare.database import utcnow
    from victimcare.referrals import operations as referrals
    from victimcare.referrals.models import ConsentGiver, ConsentMethod
    from workflows.referral import LegalBasis, Purpose, ReferralKind, Urgency

    users = {u.username: u for u in db.session.scalars(sa.select(User))}
    open_cases = {
        code: list(
            db.session.scalars(
                sa.select(Case)
                .where(Case.owning_agency_id == agencies[code].id, Case.closed_at.is_(None))
                .order_by(Case.reference)
            )
        )
        for code in ("police-demo", "border-demo")
    }
    for sender, receiver, purpose, kind, answers in DEMO_REFERRALS:
        case = open_cases[users[sender].agency.code].pop(0)
        to_agency = agencies[receiver]
        consent = referrals.record_consent(
            case,
            users[sender],
            given_by=ConsentGiver.GUARDIAN if case.victim.is_minor else ConsentGiver.PERSON,
            guardian_name="Người giám hộ (demo)" if case.victim.is_minor else None,
            agency_kinds=[to_agency.kind.value],
            purposes=[purpose],
            for_statistics=True,
            contact_family=False,
            method=ConsentMethod.SIGNED_FORM,
            witness_name=None,
            given_at=utcnow() - timedelta(days=3),
        )
        referral = referrals.send(
            case,
            users[sender],
            to_agency=to_agency,
            kind=ReferralKind(kind),
            purpose=Purpose(purpose),
            urgency=Urgency.NORMAL,
            groups=set(referrals.default_groups(Purpose(purpose))),
            legal_basis=LegalBasis.CONSENT,
            consent=consent,
            message="Đề nghị tiếp nhận và hỗ trợ (demo).",
        )
        for who, trigger in answers:
            if who == "clock":
                referral.answer_due_at = utcnow() - timedelta(hours=1)
                referrals.expire_overdue()
            else:
                referrals.answer(
                    referral,
                    trigger,
                    users[who],
                    reason="Không đủ điều kiện tiếp nhận (demo)." if trigger == "decline" else None,
                )


def seed_demo_support(agencies: dict) -> None:
    """Support, protection and follow-ups that fit each case's stage: limits due and overdue, a
    protection banner on the cases referred to social affairs, closed cases with a complete checklist."""
    from datetime import timedelta

    import sqlalchemy as sa

    from victimcare.cases.models import Case
    from victimcare.referrals.models import Referral
    from victimcare.support import operations as support
    from victimcare.support.models import (
        FollowUp,
        ProtectionMeasure,
        ReintegrationPlan,
        RiskAssessment,
        SupportService,
    )
    from victimcare.working_days import today
    from workflows import support as rules
    from workflows.referral import ReferralStatus
    from workflows.victim_path import ClosureReason, Stage

    day = today()
    social = agencies["social-demo"]
    referred = set(
        db.session.scalars(
            sa.select(Referral.case_id).where(
                Referral.to_agency_id == social.id, Referral.status == ReferralStatus.ACCEPTED
            )
        )
    )
    for i, case in enumerate(db.session.scalars(sa.select(Case).order_by(Case.reference))):
        started = case.stage_started_at.date()
        beneficiary = support.status_of(case, case.victim, None)

        def service(kind, status, case=case, beneficiary=beneficiary, **fields):
            db.session.add(
                SupportService(
                    case=case,
                    person_id=case.victim_id,
                    beneficiary=beneficiary,
                    support_type=kind,
                    status=status,
                    provider_agency_id=social.id,
                    **fields,
                )
            )

        if case.stage in (Stage.PROTECTION, Stage.INITIAL_SUPPORT) or case.id in referred:
            db.session.add(
                RiskAssessment(
                    case=case,
                    assessed_on=started,
                    level="high",
                    at_risk=["person", "relatives"],
                    threat="Đối tượng môi giới đã nhắn tin đe dọa gia đình (demo).",
                    relatives="Mẹ đẻ (demo)",
                    agency_id=case.owning_agency_id,
                )
            )
            db.session.add(
                ProtectionMeasure(
                    case=case,
                    measure="address_secrecy",
                    starts_on=started,
                    deciding_agency_id=case.owning_agency_id,
                )
            )
        if case.stage == Stage.INITIAL_SUPPORT:
            # One starts 110 days ago, so its 120-day limit is due soon.
            begun = day - timedelta(days=110) if i % 2 else started
            service(
                "essential_needs",
                "in_progress",
                starts_on=begun,
                amount_vnd=3_600_000,
                decision_reference=f"{100 + i}/QĐ-SYT (demo)",
                decided_on=begun,
            )
        if case.stage == Stage.REINTEGRATION:
            plan_start = day - timedelta(days=100 if i % 2 else 20)
            service(
                "essential_needs",
                "delivered",
                starts_on=plan_start - timedelta(days=60),
                ends_on=plan_start,
                decision_reference=f"{100 + i}/QĐ-SYT (demo)",
                decided_on=plan_start - timedelta(days=60),
            )
            applied = day - timedelta(days=20 if i % 2 else 3)
            service(
                "schooling",
                "planned",
                applied_on=applied,
                decision_due_on=rules.decision_due(applied, _holidays()),
            )
            db.session.add(
                ReintegrationPlan(
                    case=case,
                    starts_on=plan_start,
                    goals={
                        "housing": "Về sống cùng gia đình (demo).",
                        "work": "Học nghề may, sau đó tìm việc tại địa phương (demo).",
                    },
                )
            )
            for n, due in enumerate(rules.follow_up_schedule(plan_start)):
                done = due < day - timedelta(days=30) and n == 0
                db.session.add(
                    FollowUp(
                        case=case,
                        due_on=due,
                        done_on=due if done else None,
                        outcome="on_track" if done else None,
                        re_trafficking_risk="low" if done else None,
                    )
                )
        if case.closure_reason == ClosureReason.REINTEGRATED:
            closed = case.closed_at.date()
            for kind in rules.eligible_types(beneficiary, case.legal_regime):
                service(
                    kind,
                    "delivered" if kind in ("essential_needs", "medical", "psychological") else "not_needed",
                    starts_on=closed - timedelta(days=300),
                    decision_reference="12/QĐ-SYT (demo)",
                )
            db.session.add(
                ProtectionMeasure(
                    case=case,
                    measure="identity_secrecy",
                    starts_on=closed - timedelta(days=300),
                    ended_on=closed - timedelta(days=30),
                )
            )
            db.session.add(
                ReintegrationPlan(
                    case=case,
                    starts_on=closed - timedelta(days=400),
                    goals={"family": "Đoàn tụ gia đình (demo)."},
                )
            )
            for due in rules.follow_up_schedule(closed - timedelta(days=400)):
                db.session.add(
                    FollowUp(
                        case=case, due_on=due, done_on=due, outcome="on_track", re_trafficking_risk="low"
                    )
                )
    db.session.flush()


# Who hands out each agency's open cases, to whom; the first case of each agency with a supervisor is
# left for its workers to take (so the queues show an unassigned case), the rest alternate.
DEMO_WORKERS = {
    "police-demo": ("supervisor3", ["police1", "police1", "supervisor3"]),
    "border-demo": (None, ["border1"]),  # no supervisor at the border post: the officer takes them
    "social-demo": ("supervisor1", ["social1", "social1", "supervisor1"]),
}


def seed_demo_assignments(agencies: dict) -> None:
    """Every open demo case gets its worker through the operations (history and log included), but one
    per agency with a supervisor; supervisor2 asks to erase one closed case, so supervisor1's queue
    shows an erasure waiting for a second approval."""
    import sqlalchemy as sa

    from victimcare.accounts.models import User
    from victimcare.cases import assignment
    from victimcare.cases import operations as cases
    from victimcare.cases.models import Case
    from workflows.victim_path import ClosureReason, Stage

    users = {u.username: u for u in db.session.scalars(sa.select(User))}
    for code, (supervisor, workers) in DEMO_WORKERS.items():
        open_cases = db.session.scalars(
            sa.select(Case)
            .where(
                Case.owning_agency_id == agencies[code].id,
                Case.stage != Stage.CLOSED,
                Case.assigned_user_id.is_(None),
            )
            .order_by(Case.reference)
        ).all()
        for n, case in enumerate(open_cases[1:] if supervisor else open_cases):
            worker = users[workers[n % len(workers)]]
            if supervisor:
                assignment.assign(case, worker, users[supervisor])
            else:
                assignment.take(case, worker)
    closed = db.session.scalars(
        sa.select(Case)
        .where(
            Case.owning_agency_id == agencies["social-demo"].id,
            Case.closure_reason == ClosureReason.DECLINED,
        )
        .order_by(Case.reference)
        .limit(1)
    ).first()
    if closed is not None:
        cases.request_erasure(closed, "person_request", by=users["supervisor2"])
    db.session.flush()


def _holidays():
    from victimcare.working_days import holidays

    return holidays()


def demo_totp_secret(username: str) -> str:
    """The demo user's authenticator secret: derived from the name, so the README and the tests know
    it. Only demo accounts, which exist only outside production, have such a secret."""
    return base64.b32encode(
        hashlib.sha256(f"victimcare-demo-totp:{username}".encode()).digest()[:20]
    ).decode()


def demo_logins_text() -> str:
    password = current_app.config["DEMO_PASSWORD"]
    roles = current_app.config["SECOND_FACTOR_ROLES"]
    lines = [
        f"  {u:<12} {r.value:<12} {a:<18} {demo_totp_secret(u) if r.value in roles else ''}".rstrip()
        for u, _, a, r in USERS
    ]
    return (
        f"Demo logins (password: {password}; the last column is the authenticator secret of those\n"
        f"who log in with a code: add it to an authenticator app, or print the current code with\n"
        f"`flask --app app users totp USERNAME`):\n" + "\n".join(lines)
    )


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Create demo agencies, users and cases (development only, once)."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("seed-demo refuses to run when VICTIMCARE_ENV=production.")
    if seed_demo():
        db.session.commit()
        click.echo("Demo data created.")
    else:
        click.echo("Demo data is already present; nothing to do.")
    click.echo(demo_logins_text())
