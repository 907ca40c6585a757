"""Two people edit the same case: the second save is refused, clearly, and nothing is lost."""

import re

import sqlalchemy as sa

from tests.helpers import add_case, db_session
from victimcare.cases.models import Case

FORM_FIELDS = {
    "full_name": "Lò Thị Xuyến",
    "other_names": "",
    "gender": "Feminine",
    "date_of_birth": "12/05/2007",
    "birth_year": "",
    "nationality": "VN",
    "is_ethnic_minority": "yes",
    "id_document_type": "",
    "id_number": "",
    "phone": "",
    "home_address": "",
    "province_code": "15",
    "commune_code": "",
}


def _open_form(client, url):
    page = client.get(url).text
    return {
        "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1),
        "version": re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1),
    }


def test_the_second_of_two_concurrent_saves_gets_the_stale_message_and_keeps_its_input(login_as, seeded):
    reference = add_case(seeded, "police-demo", full_name="Lò Thị Xuyến")
    url = f"/cases/{reference}/edit/person"
    first, second = login_as("police1"), login_as("police1")
    first_form, second_form = _open_form(first, url), _open_form(second, url)
    assert first_form["version"] == second_form["version"]

    saved = first.post(url, data={**first_form, **FORM_FIELDS, "home_address": "Thôn Nậm Cang"})
    assert saved.status_code == 302
    refused = second.post(url, data={**second_form, **FORM_FIELDS, "phone": "0912 777 888"})
    assert refused.status_code == 409
    assert "Người khác đã lưu hồ sơ này" in refused.text
    assert 'value="0912 777 888"' in refused.text, "the second user's input is kept on the form"

    with db_session(seeded) as session:
        victim = session.scalar(sa.select(Case).where(Case.reference == reference)).victim
        assert victim.home_address == "Thôn Nậm Cang", "the first save is intact"
        assert victim.phone is None, "the stale save wrote nothing"

    new_version = re.search(r'name="version" type="hidden" value="(\d+)"', refused.text).group(1)
    retried = second.post(
        url,
        data={
            "csrf_token": second_form["csrf_token"],
            "version": new_version,
            **FORM_FIELDS,
            "home_address": "Thôn Nậm Cang",
            "phone": "0912 777 888",
        },
    )
    assert retried.status_code == 302


def test_a_step_fired_from_a_stale_form_is_refused(login_as, seeded):
    reference = add_case(seeded, "police-demo")
    police = login_as("police1")
    edit = _open_form(police, f"/cases/{reference}/edit/facts")
    step_url = f"/cases/{reference}/transition/suspend"
    step = _open_form(police, step_url)
    police.post(
        f"/cases/{reference}/edit/facts", data={**edit, "narrative": "Lời kể mới", "trafficked_abroad": ""}
    )
    refused = police.post(step_url, data={**step, "last_contact_on": "20/11/2026"})
    assert refused.status_code == 409 and "Đã có người lưu hồ sơ này" in refused.text
    with db_session(seeded) as session:
        assert session.scalar(sa.select(Case.stage).where(Case.reference == reference)) == "intake"
