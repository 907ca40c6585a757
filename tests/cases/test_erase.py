"""Erasure: the person's personal data is gone in every case for good; the statistics stay."""

import re

import sqlalchemy as sa

from tests.helpers import add_case, approve_all, db_session, post
from victimcare.cases.models import Case, Victim
from victimcare.cases.operations import open_case, search_victims
from victimcare.crypto.models import DataKey


def _second_case_for_same_person(app, reference):
    with db_session(app) as session:
        first = session.scalar(sa.select(Case).where(Case.reference == reference))
        return open_case(
            victim=first.victim, agency=first.owning_agency, created_by=None
        ).reference, session.commit()


def test_erasing_makes_every_case_of_the_person_unreadable_and_keeps_counts(seeded):
    reference = add_case(
        seeded, full_name="Lù Thị Sính", gender="Feminine", birth_year=2003, phone="0911222333"
    )
    second, _ = _second_case_for_same_person(seeded, reference)
    result = seeded.test_cli_runner().invoke(
        args=["cases", "erase", reference, "--reason", "person_request", "--yes"]
    )
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
        assert (
            session.scalar(sa.select(sa.func.count()).select_from(Victim).where(Victim.gender == "Feminine"))
            == 1
        )
        assert session.scalars(sa.select(DataKey.wrapped).where(DataKey.person_id == victim.id)).all() == [
            None
        ]
        assert search_victims("name", "Lù Thị Sính") == [] and search_victims("phone", "0911222333") == []


def test_a_supervisor_erases_from_the_case_page_with_a_reason(login_as, seeded):
    reference = add_case(seeded, "social-demo", full_name="Chảo Thị Mẩy")
    supervisor = login_as("supervisor1")
    page = supervisor.get(f"/cases/{reference}")
    assert "Chảo Thị Mẩy" in page.text and "Xóa dữ liệu cá nhân" in page.text
    refused = post(
        supervisor,
        f"/cases/{reference}/erase",
        {"reason": "person_request"},
        token_page=f"/cases/{reference}",
    )
    assert refused.status_code == 400  # the confirmation box was not ticked
    post(
        supervisor,
        f"/cases/{reference}/erase",
        {"reason": "person_request", "confirm": "y"},
        token_page=f"/cases/{reference}",
    )
    assert approve_all(login_as("supervisor2")) == 1  # a second supervisor of the agency
    done = supervisor.get(f"/cases/{reference}")
    assert "Chảo Thị Mẩy" not in done.text and 'data-testid="erased"' in done.text


def test_only_supervisors_may_erase(login_as, seeded):
    reference = add_case(seeded, "social-demo", full_name="Chảo Thị Mẩy")
    social = login_as("social1")
    assert "Xóa dữ liệu cá nhân" not in social.get(f"/cases/{reference}").text
    response = post(
        social,
        f"/cases/{reference}/erase",
        {"reason": "person_request", "confirm": "y"},
        token_page=f"/cases/{reference}",
    )
    assert response.status_code == 403
    assert "Chảo Thị Mẩy" in social.get(f"/cases/{reference}").text


def test_erasing_an_unknown_case_fails_cleanly(seeded):
    result = seeded.test_cli_runner().invoke(
        args=["cases", "erase", "VC-2026-424242", "--reason", "legal_order", "--yes"]
    )
    assert result.exit_code != 0 and "no case" in result.output


def test_the_case_list_marks_an_erased_person_and_names_the_others(login_as, seeded):
    erased = add_case(seeded, "social-demo", full_name="Chảo Thị Mẩy")
    kept = add_case(seeded, "social-demo", full_name="Lò Thị Xuyến")
    supervisor = login_as("supervisor1")
    post(
        supervisor,
        f"/cases/{erased}/erase",
        {"reason": "person_request", "confirm": "y"},
        token_page=f"/cases/{erased}",
    )
    approve_all(login_as("supervisor2"))
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(
            r'<a href="/cases/(VC-\d{4}-\d{6})">[^<]*</a></td>\s*<td>(.*?)</td>',
            supervisor.get("/cases").text,
            re.S,
        )
    }
    assert "(đã xóa)" in rows[erased] and "Chảo" not in rows[erased]
    assert rows[kept] == "Lò Thị Xuyến"


# -- the people around the case are data subjects of their own -------------------------------------


def _erase(app, reference, *people):
    args = ["cases", "erase", reference, "--reason", "person_request", "--yes"]
    for person in people:
        args += ["--person", person]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    return result


def _case_with_people(app) -> str:
    from victimcare.cases.operations import add_person
    from victimcare.extensions import db

    reference = add_case(app, "social-demo", full_name="Chảo Thị Mẩy")
    with app.app_context():
        case = db.session.scalar(sa.select(Case).where(Case.reference == reference))
        add_person(case, "accompanying_child", {"full_name": "Chảo A Páo", "gender": "Masculine"}, actor=None)
        add_person(case, "relative_at_risk", {"full_name": "Chảo Văn Sử", "phone": "0911000111"}, actor=None)
        db.session.commit()
        db.session.remove()
    return reference


def _names(app, reference) -> dict:
    with db_session(app) as session:
        session.info.clear()
        case = session.scalar(sa.select(Case).where(Case.reference == reference))
        return {"victim": case.victim.full_name, **{p.role: p.person.full_name for p in case.people}}


def test_erasing_the_victim_asks_what_to_do_with_each_other_person(login_as, seeded):
    reference = _case_with_people(seeded)
    supervisor = login_as("supervisor1")
    page = supervisor.get(f"/cases/{reference}").text
    form = page[page.index('data-testid="erase"') :]
    assert form.count('type="radio"') == 4 and "checked" not in form, (
        "two people, two choices each, none chosen"
    )
    assert "Chảo A Páo" not in form and "Chảo Văn Sử" not in form, "named by role and number, never decrypted"
    undecided = post(
        supervisor,
        f"/cases/{reference}/erase",
        {"reason": "person_request", "confirm": "y"},
        token_page=f"/cases/{reference}",
    )
    assert (
        undecided.status_code == 400
        and undecided.text.count("Hãy chọn cách xử lý dữ liệu của người này") == 2
    )
    assert _names(seeded, reference) == {
        "victim": "Chảo Thị Mẩy",
        "accompanying_child": "Chảo A Páo",
        "relative_at_risk": "Chảo Văn Sử",
    }, "nothing erased without a decision"

    fields = re.findall(r'name="(other_[0-9a-f]{32})"', form)
    child_field, relative_field = dict.fromkeys(fields)  # in the order of the case (child added first)
    done = post(
        supervisor,
        f"/cases/{reference}/erase",
        {"reason": "person_request", "confirm": "y", child_field: "erase", relative_field: "keep"},
        token_page=f"/cases/{reference}",
        follow_redirects=True,
    )
    assert done.status_code == 200
    assert _names(seeded, reference)["victim"] == "Chảo Thị Mẩy", "a request: nothing erased before approval"
    assert approve_all(login_as("supervisor2")) == 1  # the second supervisor approves exactly what was asked
    assert _names(seeded, reference) == {
        "victim": None,
        "accompanying_child": None,
        "relative_at_risk": "Chảo Văn Sử",
    }

    later = supervisor.get(f"/cases/{reference}").text
    rest = later[later.index('data-testid="erase"') :]
    assert rest.count('type="radio"') == 2, "the person kept can still be erased later, on their own decision"
    post(
        supervisor,
        f"/cases/{reference}/erase",
        {"reason": "person_request", "confirm": "y", relative_field: "erase"},
        token_page=f"/cases/{reference}",
    )
    assert approve_all(login_as("supervisor2")) == 1
    assert _names(seeded, reference)["relative_at_risk"] is None
    assert 'data-testid="erase"' not in supervisor.get(f"/cases/{reference}").text


def test_the_command_line_erasure_needs_a_decision_for_each_other_person(seeded):
    reference = _case_with_people(seeded)
    runner = seeded.test_cli_runner()
    refused = runner.invoke(args=["cases", "erase", reference, "--reason", "person_request", "--yes"])
    assert refused.exit_code != 0
    assert "--person accompanying_child-1=erase|keep --person relative_at_risk-1=erase|keep" in refused.output
    assert _names(seeded, reference)["victim"] == "Chảo Thị Mẩy"
    _erase(seeded, reference, "accompanying_child-1=keep", "relative_at_risk-1=erase")
    assert _names(seeded, reference) == {
        "victim": None,
        "accompanying_child": "Chảo A Páo",
        "relative_at_risk": None,
    }


# -- the supervisor is told when the erasure is complete everywhere ----------------------------------


def test_the_case_page_says_when_the_erasure_is_complete_everywhere(login_as, seeded):
    reference = add_case(seeded, "social-demo", full_name="Chảo Thị Mẩy")
    supervisor = login_as("supervisor1")
    post(
        supervisor,
        f"/cases/{reference}/erase",
        {"reason": "person_request", "confirm": "y"},
        token_page=f"/cases/{reference}",
    )
    assert approve_all(login_as("supervisor2")) == 1

    def completion():
        page = supervisor.get(f"/cases/{reference}").text
        start = page.index('data-testid="erasure-completion"')
        return " ".join(page[start : page.index("</div>", start)].split())

    assert "khóa mã hóa khóa 1" in completion() and "lần xoay khóa tiếp theo đến hạn" in completion()
    runner = seeded.test_cli_runner()
    runner.invoke(args=["keys", "rotate"])
    assert "đã được thay" in completion()
    runner.invoke(args=["keys", "retire", "1"])
    assert "hoàn tất ở mọi nơi" in completion() and "khóa mã hóa khóa 1" not in completion()
