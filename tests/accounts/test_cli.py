"""``flask users create`` and ``flask seed-demo``."""

import sqlalchemy as sa

from tests.helpers import db_session, log_in
from victimcare import demo
from victimcare.accounts.models import Agency, User
from victimcare.cases.models import Case


def test_users_create_makes_an_account_that_can_log_in(seeded):
    result = seeded.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "police2",
            "--agency",
            "police-demo",
            "--role",
            "officer",
            "--name",
            "Lò Văn Sáng",
            "--password",
            "mua xuan tren nui cao 77",
            "--no-must-change",
        ]
    )
    assert result.exit_code == 0, result.output
    assert log_in(seeded.test_client(), "police2", "mua xuan tren nui cao 77").status_code == 302


def test_users_create_refuses_a_weak_password_and_an_unknown_agency(seeded):
    runner = seeded.test_cli_runner()
    weak = runner.invoke(
        args=[
            "users",
            "create",
            "u2",
            "--agency",
            "police-demo",
            "--role",
            "officer",
            "--name",
            "X",
            "--password",
            "password1234",
        ]
    )
    assert weak.exit_code != 0 and "dễ đoán" in weak.output
    unknown = runner.invoke(
        args=[
            "users",
            "create",
            "u3",
            "--agency",
            "nowhere",
            "--role",
            "officer",
            "--name",
            "X",
            "--password",
            "mua xuan tren nui cao 77",
        ]
    )
    assert unknown.exit_code != 0 and "nowhere" in unknown.output
    with db_session(seeded) as session:
        assert (
            session.scalar(
                sa.select(sa.func.count()).select_from(User).where(User.username.in_(["u2", "u3"]))
            )
            == 0
        )


def test_seed_demo_creates_the_demo_world_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0 and "police1" in first.output
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "already present" in second.output
    with db_session(app) as session:
        codes = set(session.scalars(sa.select(Agency.code)))
        assert codes == {"police-demo", "border-demo", "social-demo", "health-demo", "womens-union-demo"}
        communes = set(
            session.scalars(sa.select(Agency.commune_code).where(Agency.commune_code.is_not(None)))
        )
        assert len(communes) == 2
        assert session.scalar(sa.select(sa.func.count()).select_from(User)) == len(demo.USERS)
        cases = session.scalars(sa.select(Case)).unique().all()
        assert len(cases) >= 10 and {c.owning_agency.code for c in cases} >= {
            "police-demo",
            "border-demo",
            "social-demo",
        }
        assert all(c.victim.full_name for c in cases)


def test_seed_demo_refuses_to_run_in_production(app):
    app.config["ENV_NAME"] = "production"
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "production" in result.output
    with db_session(app) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_agencies_create_then_a_first_administrator(app):
    runner = app.test_cli_runner()
    made = runner.invoke(
        args=[
            "agencies",
            "create",
            "so-y-te-lc",
            "--kind",
            "social_affairs",
            "--province",
            "15",
            "--name",
            "Sở Y tế tỉnh Lào Cai",
        ]
    )
    assert made.exit_code == 0, made.output
    again = runner.invoke(
        args=[
            "agencies",
            "create",
            "so-y-te-lc",
            "--kind",
            "social_affairs",
            "--province",
            "15",
            "--name",
            "X",
        ]
    )
    assert again.exit_code != 0 and "đã được sử dụng" in again.output
    admin = runner.invoke(
        args=[
            "users",
            "create",
            "admin",
            "--agency",
            "so-y-te-lc",
            "--role",
            "admin",
            "--name",
            "Đỗ Quang Huy",
        ],
        input="mua xuan tren nui cao 77\nmua xuan tren nui cao 77\n",
    )
    assert admin.exit_code == 0, admin.output
    client = app.test_client()
    assert log_in(client, "admin", "mua xuan tren nui cao 77").status_code == 302
    assert client.get("/").headers["Location"] == "/account/password"
