"""Finding a person by name, ID number or phone: on the web (POST, never in the URL) and at the CLI."""

import pytest

from tests.helpers import add_case, post


@pytest.fixture
def xuyen(seeded):
    return add_case(
        seeded,
        "police-demo",
        full_name="Lò Thị Xuyến",
        id_document_type="citizen_id",
        id_number="015304001234",
        phone="0912 345 678",
    )


@pytest.mark.parametrize(
    "kind,term",
    [
        ("name", "Lò Thị Xuyến"),
        ("name", "LO THI XUYEN"),
        ("name", "Xuyến Lò Thị"),
        ("name", "lo thi  xuyen"),
        ("id_number", "0153 0400 1234"),
        ("phone", "+84912345678"),
        ("phone", "091-234-5678"),
    ],
)
def test_police_find_their_case_however_the_term_is_written(login_as, xuyen, kind, term):
    client = login_as("police1")
    response = post(client, "/cases", {"kind": kind, "q": term})
    assert response.status_code == 200
    assert xuyen in response.text and "Lò Thị Xuyến" in response.text
    assert "1 hồ sơ" in response.text


def test_dang_without_its_stroke_finds_dang(login_as, seeded):
    reference = add_case(seeded, full_name="Đặng Thị Nga")
    response = post(login_as("police1"), "/cases", {"kind": "name", "q": "dang thi nga"})
    assert reference in response.text


def test_a_search_finds_nothing_outside_the_users_visibility(login_as, xuyen):
    response = post(login_as("health1"), "/cases", {"kind": "name", "q": "Lo Thi Xuyen"})
    assert response.status_code == 200
    assert xuyen not in response.text and "Xuyến" not in response.text
    assert "0 hồ sơ" in response.text


def test_a_supervisor_finds_cases_of_agencies_in_their_province(login_as, xuyen):
    response = post(login_as("supervisor1"), "/cases", {"kind": "name", "q": "Lo Thi Xuyen"})
    assert xuyen in response.text


def test_a_similar_but_different_name_is_not_a_match(login_as, xuyen):
    response = post(login_as("police1"), "/cases", {"kind": "name", "q": "Lò Thị Xuân"})
    assert xuyen not in response.text


def test_the_search_term_never_goes_into_a_url(login_as, xuyen):
    client = login_as("police1")
    page = client.get("/cases").text
    assert '<form method="post" action="/cases"' in page
    response = client.get("/cases", query_string={"kind": "name", "q": "Lò Thị Xuyến"})
    assert "được tìm thấy" not in response.text  # GET parameters are not a search


def test_an_empty_search_says_what_is_missing(login_as, xuyen):
    response = post(login_as("police1"), "/cases", {"kind": "name", "q": ""})
    assert response.status_code == 400 and "Bắt buộc nhập thông tin này." in response.text


def test_the_list_shows_only_the_agencys_cases(login_as, seeded, xuyen):
    other = add_case(seeded, "border-demo", full_name="Vàng A Dình")
    page = login_as("police1").get("/cases").text
    assert xuyen in page and other not in page


def test_admins_and_auditors_have_no_case_pages(login_as, xuyen):
    for username in ("admin1", "auditor1"):
        client = login_as(username)
        assert client.get("/cases").status_code == 403
        assert client.get(f"/cases/{xuyen}").status_code == 403


def test_the_cli_search_prints_reference_and_name(seeded, xuyen):
    runner = seeded.test_cli_runner()
    for args in (["--name", "xuyen lo thi"], ["--id-number", "015304001234"], ["--phone", "0912345678"]):
        result = runner.invoke(args=["cases", "search", *args])
        assert result.exit_code == 0
        assert f"{xuyen}\tLò Thị Xuyến" in result.output
    assert runner.invoke(args=["cases", "search"]).exit_code != 0


# -- issue 16: part of a name finds nothing, so say so and offer the reference and the date of birth --


def test_the_box_says_the_whole_name_is_needed_and_offers_the_other_ways(login_as, seeded):
    page = login_as("police1").get("/cases").text
    help_text = page.split('data-testid="search-help">')[1].split("</div>")[0]
    assert "“Giang” sẽ không ra kết quả" in help_text and "ngày sinh" in help_text and "Mã hồ sơ" in help_text
    assert '<option value="reference">Mã hồ sơ</option>' in page
    assert '<option value="name_and_birth">Họ tên và ngày sinh</option>' in page


def test_part_of_a_name_finds_nothing(login_as, xuyen):
    response = post(login_as("police1"), "/cases", {"kind": "name", "q": "Xuyến"})
    assert xuyen not in response.text and "0 hồ sơ" in response.text


@pytest.mark.parametrize("typed", ["{ref}", "{lower}", "{short}", "{year}-{n}", "{n}", " {number} "])
def test_a_case_is_found_by_its_reference_however_it_is_typed(login_as, xuyen, typed):
    _prefix, year, number = xuyen.split("-")
    term = typed.format(
        ref=xuyen, lower=xuyen.lower(), short=f"{year}-{number}", year=year, n=int(number), number=number
    )
    response = post(login_as("police1"), "/cases", {"kind": "reference", "q": term})
    assert xuyen in response.text and "1 hồ sơ" in response.text


def test_a_reference_outside_the_users_visibility_is_not_found(login_as, xuyen):
    response = post(login_as("health1"), "/cases", {"kind": "reference", "q": xuyen})
    assert f'href="/cases/{xuyen}"' not in response.text and "0 hồ sơ" in response.text


def test_name_and_date_of_birth_tell_namesakes_apart(login_as, seeded):
    from datetime import date

    born_2004 = add_case(seeded, full_name="Giàng Thị Mai", date_of_birth=date(2004, 5, 12))
    born_2004_other_day = add_case(seeded, full_name="Giàng Thị Mai", date_of_birth=date(2004, 9, 1))
    year_only = add_case(seeded, full_name="Mai Giàng Thị", birth_year=2004)
    client = login_as("police1")
    response = post(client, "/cases", {"kind": "name_and_birth", "q": "giang thi mai", "born": "12/05/2004"})
    assert born_2004 in response.text and year_only in response.text  # the year is all that is known of her
    assert born_2004_other_day not in response.text
    missing = post(client, "/cases", {"kind": "name_and_birth", "q": "Giàng Thị Mai"})
    assert missing.status_code == 400 and "Nhập ngày sinh, hoặc chỉ tìm theo họ tên." in missing.text


def test_name_and_date_of_birth_decrypt_only_the_blind_index_bucket(seeded, monkeypatch):
    """The search reads one bucket of the name-and-birth-year index, never every person."""
    from datetime import date

    from victimcare.cases import operations

    for n in range(12):
        add_case(seeded, full_name=f"Người Khác Số {n}", date_of_birth=date(1990, 1, 1 + n))
    wanted = add_case(seeded, full_name="Giàng Thị Mai", date_of_birth=date(2004, 5, 12))
    opened = []
    with seeded.test_request_context():
        vault = seeded.extensions["victimcare.vault"]
        real = vault.preload
        monkeypatch.setattr(
            vault, "preload", lambda session, ids: opened.append(len(ids)) or real(session, ids)
        )
        found = operations.search_cases(None, "name_and_birth", "Giàng Thị Mai", born=date(2004, 5, 12))
    assert [c.reference for c in found] == [wanted]
    assert opened and max(opened) <= 2  # the bucket, not the thirteen people
