"""Shared markup: a field's error and help text are tied to it for screen readers, wide tables scroll
inside themselves, actions look like actions, and every page has an icon."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from victimcare.forms import Form, MultiCheckboxField, required

ROOT = Path(__file__).resolve().parent.parent


class Sample(Form):
    class Meta:
        csrf = False

    name = StringField("Name", validators=[required()], description="As on the ID card")
    code = StringField("Code", validators=[required()])
    kind = RadioField(
        "Kind",
        choices=[SelectChoice("a", "A"), SelectChoice("b", "B")],
        validators=[required()],
        description="Pick one",
    )
    parts = MultiCheckboxField(
        "Parts", choices=[SelectChoice("x", "X"), SelectChoice("y", "Y")], validators=[required()]
    )
    agree = BooleanField("Agree", validators=[required()])
    pick = SelectField(
        "Pick", choices=[SelectChoice("", "—"), SelectChoice("p", "P")], validators=[required()]
    )


def _render(app, formdata: dict | None, name: str) -> str:
    with app.test_request_context():
        form = Sample(formdata=MultiDict(formdata) if formdata is not None else None)
        if formdata is not None:
            form.validate()
        template = app.jinja_env.from_string('{% from "_macros/forms.html" import field %}{{ field(f) }}')
        return template.render(f=form[name])


def _attributes(html: str, tag: str) -> list[dict[str, str]]:
    return [dict(re.findall(r'([\w-]+)="([^"]*)"', m)) for m in re.findall(rf"<{tag}\b([^>]*)>", html)]


def test_a_field_without_errors_is_described_by_its_help_text_only(app):
    html = _render(app, None, "name")
    [field] = _attributes(html, "input")
    assert field["aria-describedby"] == "name-help" and "aria-invalid" not in field
    assert 'id="name-help"' in html and "name-error" not in html
    [plain] = _attributes(_render(app, None, "code"), "input")
    assert "aria-describedby" not in plain and "aria-invalid" not in plain


def test_a_field_with_an_error_is_marked_invalid_and_described_by_help_and_error(app):
    html = _render(app, {"name": ""}, "name")
    [field] = _attributes(html, "input")
    assert field["aria-invalid"] == "true" and field["aria-describedby"] == "name-help name-error"
    error = re.search(r'<div id="name-error"><div class="invalid-feedback d-block">([^<]*)</div>', html)
    assert error and error.group(1).strip()
    [code] = _attributes(_render(app, {"code": ""}, "code"), "input")
    assert code["aria-invalid"] == "true" and code["aria-describedby"] == "code-error"


@pytest.mark.parametrize("name, tag", [("agree", "input"), ("pick", "select")])
def test_checkboxes_and_selects_carry_their_error_too(app, name, tag):
    html = _render(app, {}, name)
    [field] = _attributes(html, tag)
    assert field["aria-invalid"] == "true" and field["aria-describedby"] == f"{name}-error"
    assert f'id="{name}-error"' in html


@pytest.mark.parametrize("name, described", [("kind", "kind-help kind-error"), ("parts", "parts-error")])
def test_a_group_of_choices_names_its_error_on_the_fieldset_and_marks_each_choice(app, name, described):
    html = _render(app, {}, name)
    [fieldset] = _attributes(html, "fieldset")
    assert fieldset["aria-describedby"] == described
    options = _attributes(html, "input")
    assert len(options) == 2 and all(o["aria-invalid"] == "true" for o in options)
    assert f'<div id="{name}-error"><div class="invalid-feedback d-block">' in html


def test_a_form_page_ties_its_errors_to_the_fields(login_as):
    from tests.helpers import post

    police = login_as("police1")
    page = post(police, "/cases/new", {"full_name": "", "received_at": "31/02/2026 10:00"}).text
    invalid = [a for a in _attributes(page, "input") if a.get("aria-invalid") == "true"]
    assert invalid, "the intake form marks its wrong fields"
    for field in invalid:
        for described in field["aria-describedby"].split():
            assert f'id="{described}"' in page


def test_every_table_scrolls_inside_itself_on_a_narrow_screen():
    """A table wider than a phone scrolls in its own box instead of the whole page sideways."""
    bare = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<table\b", text):
            before = text[max(0, match.start() - 200) : match.start()]
            if "table-responsive" not in before or before.rfind("table-responsive") < before.rfind("</div>"):
                bare.append(f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}")
    assert bare == []


@pytest.mark.parametrize(
    "user, url, label",
    [
        ("police1", "/cases", "Lọc"),
        ("police1", "/referrals", "Lọc"),
        ("supervisor1", "/audit", "Lọc"),
        ("supervisor1", "/audit", "Xuất CSV"),
    ],
)
def test_the_main_actions_do_not_look_disabled(login_as, user, url, label):
    page = login_as(user).get(url).text
    classes = re.search(rf'class="(btn [^"]*)"[^>]*>\s*{label}\s*<', page).group(1).split()
    assert "btn-outline-secondary" not in classes and {"btn-primary", "btn-outline-primary"} & set(classes)


def test_recording_consent_on_the_case_page_looks_like_an_action(login_as, seeded):
    from tests.helpers import add_case

    reference = add_case(seeded, "police-demo")
    page = login_as("police1").get(f"/cases/{reference}").text
    classes = re.search(r'class="(btn [^"]*)"[^>]*>Ghi nhận sự đồng ý<', page).group(1).split()
    assert "btn-outline-primary" in classes


def test_every_page_links_an_icon_that_answers(client):
    page = client.get("/login").text
    href = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page).group(1)
    with client.get(href) as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data
