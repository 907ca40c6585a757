"""The plaintext peer of bench/pages.py: what a competent team would write without our security.

Plain Flask + Flask-Login (the user id in Flask's signed cookie session) + Flask-SQLAlchemy (ORM
objects, relationships), Flask-WTF forms and CSRF, Flask-Babel with our catalogue, and a
Bootstrap-Flask base template. The same cases, in one plaintext table per kind of row, with the
composite index the list needs, (agency, created_at, reference). No encryption, no confidentiality
log, no need-to-know (a user sees their agency's cases), no server-side sessions, no security
headers: the difference between its pages and ours is what those cost.

It shows the same fields as our pages: the list's seven columns and its filters, and on the case
page the person, the people around the case, contacts, how the person reached us, notes, the
stage path with the next steps, support, referrals and the history.

Run by bench/pages.py (``gunicorn bench.peer_app:app`` with ``PEER_DATABASE_URL``); ``fill``
builds its tables and rows.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Flask, abort, redirect, render_template, request, url_for
from flask_babel import Babel, get_locale
from flask_babel import lazy_gettext as _l
from flask_bootstrap import Bootstrap5
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect, FlaskForm
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import PasswordField, SelectField, StringField

from workflows import victim_path
from workflows.victim_path import PATH, STOPPED_CLOCK, Stage

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGE_SIZE = 50


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Agency(db.Model):
    __tablename__ = "peer_agencies"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(30))


class User(UserMixin, db.Model):
    __tablename__ = "peer_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    display_name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(30))
    locale: Mapped[str] = mapped_column(sa.String(5), default="vi")
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("peer_agencies.id"))
    agency: Mapped[Agency] = relationship(lazy="joined")


class Person(db.Model):
    __tablename__ = "peer_people"
    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str | None] = mapped_column(sa.String(200))
    other_names: Mapped[str | None] = mapped_column(sa.String(200))
    gender: Mapped[str] = mapped_column(sa.String(30))
    date_of_birth: Mapped[date | None]
    birth_year: Mapped[int | None]
    nationality: Mapped[str] = mapped_column(sa.String(2), default="VN")
    id_document_type: Mapped[str | None] = mapped_column(sa.String(30))
    id_number: Mapped[str | None] = mapped_column(sa.String(40))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    home_address: Mapped[str | None] = mapped_column(sa.Text)
    province_code: Mapped[str | None] = mapped_column(sa.String(10))


class Case(db.Model):
    __tablename__ = "peer_cases"
    __table_args__ = (sa.Index("ix_peer_cases_agency_created", "agency_id", "created_at", "reference"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(20), unique=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("peer_people.id"))
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("peer_agencies.id"))
    assigned_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("peer_users.id"))
    stage: Mapped[str] = mapped_column(sa.String(30), default="intake")
    stage_deadline: Mapped[datetime | None]
    intake_channel: Mapped[str | None] = mapped_column(sa.String(30))
    received_at: Mapped[datetime | None]
    exploitation: Mapped[list] = mapped_column(sa.JSON, default=list)
    trafficked_abroad: Mapped[bool | None]
    destination_country: Mapped[str | None] = mapped_column(sa.String(2))
    narrative: Mapped[str | None] = mapped_column(sa.Text)
    investigation_notes: Mapped[str | None] = mapped_column(sa.Text)
    closure_reason: Mapped[str | None] = mapped_column(sa.String(30))
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    person: Mapped[Person] = relationship(lazy="joined")
    agency: Mapped[Agency] = relationship(lazy="joined")
    assigned_user: Mapped[User | None] = relationship(lazy="joined")
    people: Mapped[list[CasePerson]] = relationship()
    events: Mapped[list[StageEvent]] = relationship(order_by="StageEvent.created_at")
    referrals: Mapped[list[Referral]] = relationship(order_by="Referral.sent_at")
    services: Mapped[list[Service]] = relationship()


class CasePerson(db.Model):
    __tablename__ = "peer_case_people"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("peer_cases.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("peer_people.id"))
    role: Mapped[str] = mapped_column(sa.String(30))
    person: Mapped[Person] = relationship(lazy="joined")


class StageEvent(db.Model):
    __tablename__ = "peer_stage_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("peer_cases.id"), index=True)
    to_stage: Mapped[str] = mapped_column(sa.String(30))
    created_at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("peer_users.id"))
    note: Mapped[str | None] = mapped_column(sa.Text)
    actor: Mapped[User | None] = relationship(lazy="joined")


class Referral(db.Model):
    __tablename__ = "peer_referrals"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("peer_cases.id"), index=True)
    to_agency_id: Mapped[int] = mapped_column(sa.ForeignKey("peer_agencies.id"))
    purpose: Mapped[str] = mapped_column(sa.String(30))
    status: Mapped[str] = mapped_column(sa.String(30))
    sent_at: Mapped[datetime]
    to_agency: Mapped[Agency] = relationship(lazy="joined")


class Service(db.Model):
    __tablename__ = "peer_services"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("peer_cases.id"), index=True)
    support_type: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(30))
    starts_on: Mapped[date | None]


STAGES = {
    "intake": _l("Intake"),
    "verification": _l("Verification"),
    "identification": _l("Identification"),
    "rescue": _l("Rescue"),
    "protection": _l("Protection"),
    "initial_support": _l("Initial support"),
    "reintegration": _l("Reintegration"),
    "closed": _l("Closed"),
    "suspended": _l("Suspended (lost contact)"),
    "reopened": _l("Reopened"),
}
GENDERS = {
    "Feminine": _l("Female"),
    "Masculine": _l("Male"),
    "TransgenderFeminine": _l("Transgender woman"),
    "TransgenderMasculine": _l("Transgender man"),
    "NonConforming": _l("Gender non-conforming"),
    "NonSpecifiedUnknown": _l("Not specified / unknown"),
}


class SearchForm(FlaskForm):
    kind = SelectField(_l("Search by"), choices=[("name", _l("Name")), ("phone", _l("Phone"))])
    q = StringField(_l("Name, ID number or phone"))


class LoginForm(FlaskForm):
    username = StringField(_l("Username"))
    password = PasswordField(_l("Password"))


def create_app(database_url: str | None = None) -> Flask:
    app = Flask(__name__, template_folder=os.path.join(ROOT, "bench", "peer_templates"))
    app.config.update(
        SECRET_KEY=os.environ.get("PEER_SECRET_KEY", "peer-bench-secret"),
        SQLALCHEMY_DATABASE_URI=database_url or os.environ["PEER_DATABASE_URL"],
        BABEL_DEFAULT_LOCALE="vi",
        BABEL_DEFAULT_TIMEZONE="Asia/Ho_Chi_Minh",
        BABEL_TRANSLATION_DIRECTORIES=os.path.join(ROOT, "translations"),
        BOOTSTRAP_SERVE_LOCAL=True,
    )
    db.init_app(app)
    Babel(app, locale_selector=lambda: current_user.locale if current_user.is_authenticated else "vi")
    Bootstrap5(app)
    CSRFProtect(app)
    login = LoginManager(app)
    login.login_view = "login"
    login.user_loader(lambda user_id: db.session.get(User, int(user_id)))
    app.jinja_env.filters["stage"] = lambda value: STAGES.get(value, value)
    app.jinja_env.filters["gender"] = lambda value: GENDERS.get(value, value)
    app.jinja_env.filters["day"] = lambda value: value.strftime("%d/%m/%Y") if value else ""
    app.jinja_env.filters["moment"] = _moment
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
    _routes(app)
    return app


def _moment(value: datetime | None) -> str:
    return value.replace(tzinfo=UTC).astimezone(TZ).strftime("%d/%m/%Y %H:%M") if value else ""


def _routes(app: Flask) -> None:  # noqa: C901 - one app's handful of views
    @app.route("/login", methods=["GET", "POST"])
    def login():
        form = LoginForm()
        if form.validate_on_submit():
            user = db.session.scalar(sa.select(User).where(User.username == form.username.data))
            if user and check_password_hash(user.password_hash, form.password.data):
                login_user(user)
                return redirect(url_for("cases"))
        return render_template("login.html", form=form)

    @app.route("/cases", methods=["GET", "POST"])
    @login_required
    def cases():
        query = sa.select(Case).where(Case.agency_id == current_user.agency_id)
        if request.args.get("stage") in STAGES:
            query = query.where(Case.stage == request.args["stage"])
        if request.args.get("mine"):
            query = query.where(Case.assigned_user_id == current_user.id)
        page = max(request.args.get("page", 1, type=int), 1)
        rows = db.session.scalars(
            query.order_by(Case.created_at.desc(), Case.reference.desc())
            .limit(PAGE_SIZE + 1)
            .offset((page - 1) * PAGE_SIZE)
        ).all()
        return render_template(
            "cases.html",
            form=SearchForm(),
            cases=rows[:PAGE_SIZE],
            page=page,
            has_next=len(rows) > PAGE_SIZE,
            stages=list(Stage),
            now=datetime.now(UTC).replace(tzinfo=None),
            stopped=STOPPED_CLOCK,
        )

    @app.route("/cases/<reference>")
    @login_required
    def case(reference: str):
        case = db.session.scalar(sa.select(Case).where(Case.reference == reference))
        if case is None or case.agency_id != current_user.agency_id:
            abort(404)
        return render_template(
            "case.html",
            case=case,
            person=case.person,
            path=PATH,
            actions=victim_path.available(case.stage, current_user.agency.kind, current_user.role),
            now=datetime.now(UTC).replace(tzinfo=None),
        )


def fill(
    database_url: str, rows: list[dict], references: list[str], agency: dict, user: dict, deadline: datetime
) -> None:
    """Tables, one agency, its user and one person and case per row (the rows our fill imported)."""
    engine = sa.create_engine(database_url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        agency_id = connection.execute(sa.insert(Agency).returning(Agency.id), agency).scalar_one()
        password = user.pop("password")
        connection.execute(
            sa.insert(User),
            {**user, "agency_id": agency_id, "password_hash": generate_password_hash(password)},
        )
        for start in range(0, len(rows), 10_000):
            batch = rows[start : start + 10_000]
            people = [
                {
                    "id": start + n + 1,
                    "full_name": r["full_name"],
                    "gender": r["gender"],
                    "birth_year": r.get("birth_year"),
                    "phone": r.get("phone"),
                    "province_code": r.get("province_code"),
                    "nationality": "VN",
                }
                for n, r in enumerate(batch)
            ]
            connection.execute(sa.insert(Person), people)
            connection.execute(
                sa.insert(Case),
                [
                    {
                        "id": p["id"],
                        "reference": references[p["id"] - 1],
                        "person_id": p["id"],
                        "agency_id": agency_id,
                        "stage": "intake",
                        "stage_deadline": deadline.astimezone(UTC).replace(tzinfo=None),
                        "exploitation": [],
                        "created_at": now,
                    }
                    for p in people
                ],
            )
    engine.dispose()


def timing_loop() -> None:
    """bench/pages.py's in-process half for the peer: GET each path read from stdin with the test
    client, logged in, and answer with the milliseconds, SQL statements and bytes.

    A process of its own, so that none of VictimCare's engine listeners (BEGIN IMMEDIATE, pragmas)
    apply to the peer; the benchmark alternates one request here with one of ours.
    """
    import gc
    import re
    import sys
    import time

    client = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"csrf_token": token, "username": "police1", "password": "victimcare-demo"})
    statements = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(1))
    gc.collect()
    gc.freeze()
    for line in sys.stdin:
        statements.clear()
        started = time.perf_counter()
        response = client.get(line.strip())
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"peer: {line.strip()} answered {response.status_code}")
        print(f"{elapsed:.4f} {len(statements)} {len(response.data)}", flush=True)


app = create_app() if os.environ.get("PEER_DATABASE_URL") else None

if __name__ == "__main__":
    timing_loop()
