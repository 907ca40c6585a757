"""Helpers shared by the tests: building apps, logging in, posting forms with their CSRF token."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import flask_migrate

from victimcare import create_app

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Clock:
    """The app's clock in tests (``victimcare.database.utcnow``): real time plus an offset that only
    a test moves, with ``clock.advance(minutes=6)`` (the ``clock`` fixture; reset for each test)."""

    def __init__(self):
        self.offset = timedelta(0)

    def advance(self, **delta) -> None:
        self.offset += timedelta(**delta)

    def now(self, tz=None) -> datetime:
        return datetime.now(tz) + self.offset


CLOCK = Clock()


class ClockDatetime(datetime):
    """Put in place of ``victimcare.database.datetime``: its ``now`` reads ``CLOCK``."""

    @classmethod
    def now(cls, tz=None):
        return CLOCK.now(tz)


def make_app(database_url: str, instance_path: Path, **overrides):
    environ = {"VICTIMCARE_ENV": "testing", "VICTIMCARE_INSTANCE": str(instance_path)}
    config = {"SQLALCHEMY_DATABASE_URI": database_url, **overrides}
    return create_app(config, environ=environ)


def upgrade_to_head(app) -> None:
    from victimcare.extensions import db

    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()  # closing the last connection folds SQLite's WAL into the file


def seed(app, *, with_cases: bool = False) -> None:
    """Demo agencies and users; demo cases only when asked, so tests count their own cases."""
    from victimcare.demo import seed_demo
    from victimcare.extensions import db

    with app.app_context():
        seed_demo(with_cases=with_cases)
        db.session.commit()


def csrf_token(client, page: str = "/login") -> str:
    response = client.get(page)
    match = CSRF.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {page} ({response.status_code})"
    return match.group(1)


def post(client, url: str, data: dict | None = None, *, token_page: str | None = None, **kwargs):
    """POST a form the way a browser would: with the CSRF token from the page it came from."""
    data = dict(data or {})
    data.setdefault("csrf_token", csrf_token(client, token_page or url))
    return client.post(url, data=data, **kwargs)


def fire_step(client, reference: str, trigger: str, data: dict):
    """Take a step of the path through its page, as a user would: open the form, post it with its version."""
    url = f"/cases/{reference}/transition/{trigger}"
    page = client.get(url)
    assert page.status_code == 200, page.text
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page.text).group(1)
    return post(client, url, {"version": version, **data}, token_page=url)


def log_in(client, username: str, password: str, **kwargs):
    """Log in as a user would: the password, then, when the code page comes, the demo user's code."""
    response = post(client, "/login", {"username": username, "password": password}, **kwargs)
    if response.status_code == 302 and response.headers["Location"] == "/login/code":
        response = post(client, "/login/code", {"code": totp_code(client.application, username)})
    return response


def totp_code(app, username: str) -> str:
    """The code the user's authenticator shows now, for a demo secret (the demo users' of roles that
    require one, or one given with ``give_authenticator``); "000000" for a user without one.

    A code is accepted only once: when this user's current code was used already (logged in twice
    within 30 seconds), the clock moves on to the next step, as the user would wait for the next code.
    """
    import sqlalchemy as sa

    from victimcare.accounts import totp
    from victimcare.accounts.models import User
    from victimcare.database import utcnow
    from victimcare.demo import demo_totp_secret

    with db_session(app) as session:
        row = session.execute(
            sa.select(User.totp_enabled_at, User.totp_last_step).where(User.username == username.lower())
        ).first()
    if row is None or row.totp_enabled_at is None:
        return "000000"
    last = row.totp_last_step
    step = int(utcnow().timestamp()) // 30
    if last is not None and last >= step:
        CLOCK.advance(seconds=(last + 1) * 30 - utcnow().timestamp())
    return totp.code_at(demo_totp_secret(username.lower()), utcnow())


def give_authenticator(app, username: str) -> None:
    """Enrol a user made by a test, as the demo enrols its own (``totp_code`` knows the secret)."""
    import sqlalchemy as sa

    from victimcare.accounts.models import User
    from victimcare.database import utcnow
    from victimcare.demo import demo_totp_secret

    with db_session(app) as session:
        user = session.scalar(sa.select(User).where(User.username == username))
        user.totp_secret = demo_totp_secret(username)
        user.totp_enabled_at = utcnow()
        session.commit()


def step_up(client, username: str) -> None:
    """Confirm who one is at the step-up page (the demo code, or the demo password without one)."""
    from victimcare.accounts.models import User

    user = detached(client.application, User, username=username)
    answer = totp_code(client.application, username) if user.has_second_factor else "victimcare-demo"
    response = post(client, "/account/confirm?next=/", {"step_up_code": answer}, token_page="/account")
    assert response.status_code == 302, response.text


def db_session(app):
    """Run ``with db_session(app) as session:`` to look at the database outside a request."""
    from contextlib import contextmanager

    from victimcare.extensions import db

    @contextmanager
    def scope():
        with app.app_context():
            yield db.session
            db.session.remove()

    return scope()


def add_case(app, agency_code: str = "police-demo", **victim_fields) -> str:
    """Open a case for a new person directly through the operations; returns its reference."""
    import sqlalchemy as sa

    from victimcare.accounts.models import Agency
    from victimcare.cases import operations
    from victimcare.extensions import db

    with app.app_context():
        agency = db.session.scalar(sa.select(Agency).where(Agency.code == agency_code))
        victim = operations.new_victim({"full_name": "Người Thử Nghiệm", **victim_fields})
        db.session.add(victim)
        reference = operations.open_case(victim=victim, agency=agency, created_by=None).reference
        db.session.commit()
        db.session.remove()
        return reference


def detached(app, model, **criteria):
    """The one row of ``model`` matching ``criteria`` (e.g. ``username="police1"``), detached from its session."""
    import sqlalchemy as sa

    with db_session(app) as session:
        row = session.scalars(sa.select(model).filter_by(**criteria)).one()
        session.expunge(row)
        return row


def raw_database_bytes(app) -> bytes:
    """Every byte SQLite holds for the database: the file, its WAL and shared memory."""
    from pathlib import Path

    path = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def add_consent(
    app,
    reference: str,
    by: str = "police1",
    *,
    agency_kinds=("health", "social_affairs"),
    purposes=("medical_care", "shelter_essential_needs", "protection"),
) -> str:
    """Record the person's signed consent on a case through the operations; returns its id."""
    import sqlalchemy as sa

    from victimcare.accounts.models import User
    from victimcare.cases.models import Case
    from victimcare.database import utcnow
    from victimcare.extensions import db
    from victimcare.referrals import operations
    from victimcare.referrals.models import ConsentGiver, ConsentMethod

    with app.app_context():
        case = db.session.scalar(sa.select(Case).where(Case.reference == reference))
        user = db.session.scalar(sa.select(User).where(User.username == by))
        consent = operations.record_consent(
            case,
            user,
            given_by=ConsentGiver.PERSON,
            guardian_name=None,
            agency_kinds=list(agency_kinds),
            purposes=list(purposes),
            for_statistics=True,
            contact_family=False,
            method=ConsentMethod.SIGNED_FORM,
            witness_name=None,
            given_at=utcnow(),
        )
        db.session.commit()
        consent_id = str(consent.id)
        db.session.remove()
        return consent_id


def add_referral(
    app,
    reference: str,
    to: str = "health-demo",
    by: str = "police1",
    *,
    purpose="medical_care",
    kind="referral",
    groups=("identity",),
    consent_id: str | None = None,
    legal_basis=None,
    urgency="normal",
    message: str | None = None,
) -> str:
    """Send a referral through the operations (consent-based unless a legal basis is given); returns its id."""
    import uuid

    import sqlalchemy as sa

    from victimcare.accounts.models import Agency, User
    from victimcare.cases.models import Case
    from victimcare.extensions import db
    from victimcare.referrals import operations
    from victimcare.referrals.models import Consent
    from workflows.referral import LegalBasis, Purpose, ReferralKind, Urgency

    with app.app_context():
        case = db.session.scalar(sa.select(Case).where(Case.reference == reference))
        user = db.session.scalar(sa.select(User).where(User.username == by))
        to_agency = db.session.scalar(sa.select(Agency).where(Agency.code == to))
        consent = db.session.get(Consent, uuid.UUID(consent_id)) if consent_id else None
        referral = operations.send(
            case,
            user,
            to_agency=to_agency,
            kind=ReferralKind(kind),
            purpose=Purpose(purpose),
            urgency=Urgency(urgency),
            groups=set(groups),
            legal_basis=LegalBasis(legal_basis or ("consent" if consent else "criminal_investigation")),
            consent=consent,
            message=message,
        )
        db.session.commit()
        referral_id = str(referral.id)
        db.session.remove()
        return referral_id


def add_support_records(app, reference: str) -> dict:
    """A support service, a protection measure and a plan with its follow-ups, written straight to the
    database (no access check: the tests set the scene); returns their ids."""
    from datetime import date

    import sqlalchemy as sa

    from victimcare.cases.models import Case
    from victimcare.extensions import db
    from victimcare.support.models import FollowUp, ProtectionMeasure, ReintegrationPlan, SupportService

    with app.app_context():
        case = db.session.scalar(sa.select(Case).where(Case.reference == reference))
        service = SupportService(
            case=case,
            person_id=case.victim_id,
            beneficiary="under_identification_vn",
            support_type="essential_needs",
            status="in_progress",
            starts_on=date(2026, 11, 1),
        )
        measure = ProtectionMeasure(case=case, measure="address_secrecy", starts_on=date(2026, 11, 1))
        plan = ReintegrationPlan(
            case=case, starts_on=date(2026, 11, 1), goals={"housing": "Về ở với gia đình"}
        )
        follow_up = FollowUp(case=case, due_on=date(2026, 12, 1))
        db.session.add_all([service, measure, plan, follow_up])
        db.session.commit()
        ids = {
            "service_id": str(service.id),
            "measure_id": str(measure.id),
            "follow_up_id": str(follow_up.id),
        }
        db.session.remove()
        return ids


def request_erasure(app, reference: str, by: str, reason: str = "person_request") -> str:
    """A supervisor of the owning agency asks for erasure, through the operation; returns the request's id."""
    import sqlalchemy as sa

    from victimcare.accounts.models import User
    from victimcare.cases import operations
    from victimcare.cases.models import Case
    from victimcare.extensions import db

    with app.app_context():
        case = db.session.scalar(sa.select(Case).where(Case.reference == reference))
        user = db.session.scalar(sa.select(User).where(User.username == by))
        approval_id = str(operations.request_erasure(case, reason, by=user).id)
        db.session.commit()
        db.session.remove()
        return approval_id


APPROVE_BUTTON = re.compile(r'action="(/approvals/[0-9a-f-]+/approve)"')


def approve_all(client) -> int:
    """Approve, as the client's user, everything on their approvals page; returns how many."""
    page = client.get("/approvals").text
    urls = APPROVE_BUTTON.findall(page)
    for url in urls:
        response = post(client, url, token_page="/approvals")
        assert response.status_code == 302, response.text
    return len(urls)
