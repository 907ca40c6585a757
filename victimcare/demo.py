"""``flask seed-demo``: demo agencies and users so a new user sees a working system.

Never in production, and never twice: a second run finds the demo agencies and stops.
"""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from victimcare.accounts import operations
from victimcare.accounts.models import AgencyKind, Role
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
    ("auditor1", "Vũ Thị Mai", "social-demo", Role.AUDITOR),
    ("admin1", "Đỗ Quang Huy", "social-demo", Role.ADMIN),
]


def seed_demo() -> bool:
    """Create the demo agencies and users; False when they are already there."""
    if operations.find_agency("police-demo") is not None:
        return False
    agencies = {}
    for code, name, kind, commune in AGENCIES:
        agencies[code] = operations.save_agency(
            None, code=code, name=name, kind=kind, province_code=PROVINCE, commune_code=commune
        )
    password = current_app.config["DEMO_PASSWORD"]
    for username, display_name, agency_code, role in USERS:
        operations.create_user(
            username=username, display_name=display_name, agency=agencies[agency_code], role=role,
            password=password, must_change_password=False, check_policy=False,
        )
    return True


def demo_logins_text() -> str:
    password = current_app.config["DEMO_PASSWORD"]
    lines = [f"  {u:<12} {r.value:<12} {a}" for u, _, a, r in USERS]
    return "Demo logins (password: %s):\n%s" % (password, "\n".join(lines))


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
