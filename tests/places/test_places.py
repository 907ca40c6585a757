"""Provinces, communes and countries are picked from lists, stored as codes and shown by name (issue 16)."""

import re

import pytest
import sqlalchemy as sa

from tests.helpers import add_case, db_session, post
from victimcare import places
from victimcare.cases.models import Case

INTAKE = {
    "channel": "hotline_111",
    "received_at": "20/11/2026 08:30",
    "full_name": "Giàng Thị Mai",
    "gender": "Feminine",
    "nationality": "Việt Nam",
    "province_code": "15",
    "commune_code": "Bát Xát",
    "trafficked_abroad": "yes",
    "destination_country": "trung quoc",
}


def _case(app):
    with db_session(app) as session:
        case = session.scalar(sa.select(Case))
        return case and (
            case.victim.nationality,
            case.victim.province_code,
            case.victim.commune_code,
            case.destination_country,
        )


def test_the_2025_divisions_and_the_countries_are_all_there(app):
    with app.test_request_context():
        assert len(places.provinces()) == 34
        assert sum(len(places.communes(code)) for code in places.provinces()) == 3321
        assert places.commune_name("02647") == "Phường Lào Cai" and places.commune_province("02647") == "15"
        assert places.countries()["CN"] == "Trung Quốc" and "ZZ" not in places.countries()


@pytest.mark.parametrize(
    "text, code",
    [("CN", "CN"), ("la", "LA"), ("Trung Quốc", "CN"), ("TRUNG QUOC", "CN"), ("China", "CN"), ("Lào", "LA")],
)
def test_a_country_is_read_from_its_code_or_its_name(text, code):
    assert places.find_country(text) == code


@pytest.mark.parametrize("text", ["abc", "Lào Cai", "VNM", "", "Việt"])
def test_anything_else_is_no_country(text):
    assert places.find_country(text) is None


def test_a_commune_name_is_read_within_its_province_only():
    assert places.find_commune("Xã Bát Xát", "15") == "02683"
    assert places.find_commune("bat xat", "15") == "02683"
    assert places.find_commune("Bát Xát", "01") is None  # not a commune of Hà Nội
    assert places.find_commune("Bát Xát", None) is None  # a name alone could be anywhere
    assert places.find_commune("2683", None) == "02683"  # a code names its province
    assert places.find_commune("02683", "01") is None


def test_intake_stores_codes_from_names_and_the_case_page_shows_the_names(login_as, seeded):
    client = login_as("police1")
    response = post(client, "/cases/new", INTAKE)
    assert response.status_code == 302, response.text
    assert _case(seeded) == ("VN", "15", "02683", "CN")
    page = client.get(response.headers["Location"]).text
    assert re.search(r'data-testid="nationality">\s*Việt Nam', page)
    assert 'data-testid="destination-country">Trung Quốc' in page
    assert 'data-testid="province">Tỉnh Lào Cai' in page and 'data-testid="commune">Xã Bát Xát' in page


@pytest.mark.parametrize(
    "field, typed, message",
    [
        ("nationality", "abc", "Chọn một quốc gia trong danh sách"),
        ("nationality", "Lào Cai", "Chọn một quốc gia trong danh sách"),
        ("destination_country", "abc", "Chọn một quốc gia trong danh sách"),
        ("province_code", "Lào Cai", "Chọn một tỉnh, thành phố trong danh sách."),
        ("province_code", "99", "Chọn một tỉnh, thành phố trong danh sách."),
        ("commune_code", "Hoàn Kiếm", "Không phải xã, phường của Tỉnh Lào Cai"),
        ("commune_code", "abc", "Không phải xã, phường của Tỉnh Lào Cai"),
    ],
)
def test_free_text_is_refused_in_vietnamese_and_kept(login_as, seeded, field, typed, message):
    response = post(login_as("police1"), "/cases/new", {**INTAKE, field: typed})
    assert response.status_code == 400
    assert message in response.text
    if field != "province_code":  # a select keeps the choice, a text box the text
        assert f'value="{typed}"' in response.text
    assert _case(seeded) is None


def test_a_commune_without_its_province_is_explained(login_as, seeded):
    response = post(login_as("police1"), "/cases/new", {**INTAKE, "province_code": ""})
    assert response.status_code == 400 and "Chọn tỉnh, thành phố trước" in response.text


def test_the_forms_offer_the_lists_and_the_edit_form_shows_names(login_as, seeded):
    reference = add_case(seeded, nationality="CN", province_code="15", commune_code="02647")
    client = login_as("police1")
    intake = client.get("/cases/new").text
    assert 'list="nationality-options"' in intake and '<option value="Trung Quốc">' in intake
    assert '<option value="15">Lào Cai</option>' in intake
    assert 'data-communes-of="province_code"' in intake
    edit = client.get(f"/cases/{reference}/edit/person").text
    assert 'value="Trung Quốc"' in edit and 'value="Phường Lào Cai"' in edit
    assert '<option selected value="15">' in edit
    assert '<option value="Xã Bát Xát">' in edit  # the province's communes are offered


def test_editing_the_facts_takes_a_country_by_name(login_as, seeded):
    reference = add_case(seeded)
    client = login_as("police1")
    page = client.get(f"/cases/{reference}/edit/facts").text
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    url = f"/cases/{reference}/edit/facts"
    refused = post(client, url, {"version": version, "destination_country": "Lào Cai"})
    assert refused.status_code == 400 and "Chọn một quốc gia trong danh sách" in refused.text
    assert post(client, url, {"version": version, "destination_country": "Campuchia"}).status_code == 302
    with db_session(seeded) as session:
        assert session.scalar(sa.select(Case.destination_country)) == "KH"


def test_a_value_stored_as_text_before_is_read_back_to_its_code_on_edit(login_as, seeded):
    reference = add_case(seeded, province_code="Lào Cai")
    page = login_as("police1").get(f"/cases/{reference}/edit/person").text
    assert '<option selected value="15">' in page


def test_the_communes_of_a_province_come_as_json_for_logged_in_users(login_as, seeded):
    client = login_as("social1")
    names = client.get("/places/communes/15").get_json()
    assert len(names) == 99 and "Xã Bát Xát" in names and "Phường Hoàn Kiếm" not in names
    assert client.get("/places/communes/99").status_code == 404
    assert seeded.test_client().get("/places/communes/15").status_code == 302  # to the login page


def test_the_commune_script_is_a_static_file(client):
    response = client.get("/static/js/places.js")
    assert response.status_code == 200 and "data-communes-of" in response.text
    response.close()
