"""Erasure: the person's personal data is gone in every case for good; the statistics stay."""
import re

import sqlalchemy as sa

from tests.support import add_case, approve_all, db_session, post
from victimcare.cases.models import Case, Victim
from victimcare.cases.operations import open_case, search_victims
from victimcare.crypto.models import DataKey


def _second_case_for_same_person(app, reference):
    with db_session(app) as session:
        first = session.scalar(sa.select(Case).where(Case.reference == reference))
        return open_case(victim=first.victim, agency=first.owning_agency, created_by=None).reference, session.commit()


def test_erasing_makes_every_case_of_the_person_unreadable_and_keeps_counts(seeded):
    reference = add_case(seeded, full_name="Lù Thị Sính", gender="Feminine", birth_year=2003, phone="0911222333")
    second, _ = _second_case_for_same_person(seeded, reference)
    result = seeded.test_cli_runner().invoke(args=["cases", "erase", reference, "--reason", "person_request", "--yes"])
    assert result.exit_code == 0, result.output
    with db_session(seeded) as session:
        session.info.clear()
        cases = session.scalars(sa.select(Case).where(Case.reference.in_([reference, second]))).unique().all()
        assert len(cases) == 2
        for case in cases:
            assert case.victim.full_name is None and case.victim.phone is None
        victim = cases[0].victim
        assert victim.full_name_sealed is not None, "ciphertext may stay: without its key it is noise"
        assert (victim.gender, victim.birth_year) == ("Feminine", 2003)
        assert session.scalar(sa.select(sa.func.count()).select_from(Victim).where(Victim.gender == "Feminine")) == 1
        assert session.scalars(sa.select(DataKey.wrapped)).all() == [None]
        assert search_victims("name", "Lù Thị Sính") == [] and search_victims("phone", "0911222333") == []


def test_a_supervisor_erases_from_the_case_page_with_a_reason(login_as, seeded):
    reference = add_case(seeded, "social-demo", full_name="Chảo Thị Mẩy")
    supervisor = login_as("supervisor1")
    page = supervisor.get(f"/cases/{reference}")
    assert "Chảo Thị Mẩy" in page.text and "Xóa dữ liệu cá nhân" in page.text
    refused = post(supervisor, f"/cases/{reference}/erase", {"reason": "person_request"}, token_page=f"/cases/{reference}")
    assert refused.status_code == 400  # the confirmation box was not ticked
    post(supervisor, f"/cases/{reference}/erase", {"reason": "person_request", "confirm": "y"},
         token_page=f"/cases/{reference}")
    assert approve_all(login_as("supervisor2")) == 1  # a second supervisor of the agency
    done = supervisor.get(f"/cases/{reference}")
    assert "Chảo Thị Mẩy" not in done.text and 'data-testid="erased"' in done.text


def test_only_supervisors_may_erase(login_as, seeded):
    reference = add_case(seeded, "social-demo", full_name="Chảo Thị Mẩy")
    social = login_as("social1")
    assert "Xóa dữ liệu cá nhân" not in social.get(f"/cases/{reference}").text
    response = post(social, f"/cases/{reference}/erase", {"reason": "person_request", "confirm": "y"},
                    token_page=f"/cases/{reference}")
    assert response.status_code == 403
    assert "Chảo Thị Mẩy" in social.get(f"/cases/{reference}").text


def test_erasing_an_unknown_case_fails_cleanly(seeded):
    result = seeded.test_cli_runner().invoke(args=["cases", "erase", "VC-2026-424242", "--reason", "legal_order", "--yes"])
    assert result.exit_code != 0 and "no case" in result.output


def test_the_case_list_marks_an_erased_person_and_names_the_others(login_as, seeded):
    erased = add_case(seeded, "social-demo", full_name="Chảo Thị Mẩy")
    kept = add_case(seeded, "social-demo", full_name="Lò Thị Xuyến")
    supervisor = login_as("supervisor1")
    post(supervisor, f"/cases/{erased}/erase", {"reason": "person_request", "confirm": "y"},
         token_page=f"/cases/{erased}")
    approve_all(login_as("supervisor2"))
    rows = {m.group(1): m.group(2) for m in re.finditer(
        r'<a href="/cases/(VC-\d{4}-\d{6})">[^<]*</a></td>\s*<td>(.*?)</td>', supervisor.get("/cases").text, re.S)}
    assert "(đã xóa)" in rows[erased] and "Chảo" not in rows[erased]
    assert rows[kept] == "Lò Thị Xuyến"
