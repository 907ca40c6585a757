"""``flask seed-demo``: demo agencies and users so a new user sees a working system.

Never in production, and never twice: a second run finds the demo agencies and stops.
"""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from victimcare.accounts import operations
from victimcare.accounts.models import AgencyKind, Role
from victimcare.crypto import normalise
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


# Invented people: any likeness to a real person is accidental.
DEMO_PEOPLE = [
    ("police-demo", "Lò Thị Xuyến", "Feminine", "12/05/2007", "0912 345 678", "citizen_id", "015307001234"),
    ("police-demo", "Giàng Thị Mai", "Feminine", "03/11/2009", None, None, None),
    ("police-demo", "Vàng A Dình", "Masculine", "21/01/2001", "0987 654 321", "citizen_id", "015201009876"),
    ("border-demo", "Sùng Thị Dợ", "Feminine", "15/08/2004", None, "passport", "C7654321"),
    ("border-demo", "Thào Thị Dua", "Feminine", "02/02/1998", "0978 111 222", None, None),
    ("border-demo", "Hờ Thị Di", "Feminine", "30/06/2006", None, None, None),
    ("social-demo", "Nguyễn Thị Hương", "Feminine", "09/09/1995", "0911 222 333", "citizen_id", "015195004321"),
    ("social-demo", "Lù Văn Páo", "Masculine", "11/04/2010", None, "birth_certificate", "123/2010"),
    ("social-demo", "Chảo Thị Mẩy", "Feminine", "25/12/2002", "0966 777 888", None, None),
    ("police-demo", "Đặng Thị Nga", "Feminine", "07/07/2000", None, "citizen_id", "015300007777"),
]


def seed_demo_cases(agencies: dict) -> None:
    from datetime import datetime

    from victimcare.cases import operations as cases

    for agency_code, name, gender, born, phone, doc_type, doc_number in DEMO_PEOPLE:
        victim = cases.new_victim({
            "full_name": name, "gender": gender, "date_of_birth": datetime.strptime(born, "%d/%m/%Y").date(),
            "phone": phone and normalise.phone(phone), "id_document_type": doc_type, "id_number": doc_number,
            "nationality": "VN", "is_ethnic_minority": name.split()[0] in {"Lò", "Giàng", "Vàng", "Sùng", "Thào", "Hờ", "Lù", "Chảo"},
            "province_code": PROVINCE,
        })
        db.session.add(victim)
        cases.open_case(victim=victim, agency=agencies[agency_code], created_by=None)


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
        operations.create_user(
            username=username, display_name=display_name, agency=agencies[agency_code], role=role,
            password=password, must_change_password=False, check_policy=False,
        )
    if with_cases:
        seed_demo_cases(agencies)
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
