"""What did this user open this month: a page per person for their reviewers (issue 16)."""

import sqlalchemy as sa

from tests.helpers import add_case, db_session
from victimcare.accounts.models import User


def _id(app, username: str) -> str:
    with db_session(app) as session:
        return str(session.scalar(sa.select(User.id).where(User.username == username)))


def test_a_supervisor_sees_which_cases_a_person_opened_this_month(login_as, seeded):
    reference = add_case(seeded, "police-demo", full_name="Lò Thị Xuyến")
    police = login_as("police1")
    police.get(f"/cases/{reference}")
    police.get(f"/cases/{reference}")
    page = login_as("supervisor1").get(f"/audit/users/{_id(seeded, 'police1')}").text
    opened = page[page.index('data-testid="opened-cases"') :]
    assert reference in opened and "<td>2</td>" in opened  # opened twice
    assert "Nhân thân" in opened and "Xuy" not in page  # field groups, never values
    assert "Đăng nhập: 1" in page  # everything else, by kind
    assert "Hoạt động của Trần Văn Hùng" in page
    assert "users/" in login_as("supervisor1").get("/audit?user=police1").text  # the log links to it


def test_another_month_and_a_month_that_is_none(login_as, seeded):
    police = _id(seeded, "police1")
    supervisor = login_as("supervisor1")
    empty = supervisor.get(f"/audit/users/{police}?month=01/2020").text
    assert (
        "Không mở hồ sơ nào trong tháng này." in empty and "Đăng nhập" not in empty.split("other-activity")[1]
    )
    bad = supervisor.get(f"/audit/users/{police}?month=13/2026").text
    assert "Không phải tháng hợp lệ (mm/yyyy); đang hiển thị tháng này." in bad and 'value="13/2026"' in bad


def test_only_reviewers_of_the_persons_province_see_it(login_as, seeded):
    from victimcare.accounts import operations as accounts
    from victimcare.extensions import db

    with seeded.app_context():
        agency = accounts.save_agency(
            None, code="police-other", name="Công an tỉnh khác", kind="police", province_code="01"
        )
        accounts.create_user(
            username="police9",
            display_name="Người Tỉnh Khác",
            agency=agency,
            role="officer",
            password="x",
            check_policy=False,
        )
        db.session.commit()
    police, elsewhere = _id(seeded, "police1"), _id(seeded, "police9")
    assert login_as("police1").get(f"/audit/users/{police}").status_code == 403
    assert login_as("supervisor1").get(f"/audit/users/{elsewhere}").status_code == 404
    assert login_as("auditor1").get(f"/audit/users/{elsewhere}").status_code == 200
    assert login_as("supervisor1").get("/audit/users/00000000-0000-0000-0000-000000000000").status_code == 404
