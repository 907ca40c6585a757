"""The person form's limits are read when the form is checked, not when the module was loaded."""

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from victimcare import working_days
from victimcare.cases.forms import PersonForm


def _errors(app, **data):
    with app.test_request_context(method="POST"):
        form = PersonForm(formdata=MultiDict(data), meta={"csrf": False})
        form.validate()
        return {name: [str(e) for e in errors] for name, errors in form.errors.items() if name in data}


@pytest.mark.parametrize(
    "today, year, accepted",
    [
        (date(2026, 12, 31), "2026", True),
        (date(2026, 12, 31), "2027", False),
        (date(2027, 1, 1), "2027", True),  # the same process, a day later: the new year is accepted
        (date(2027, 1, 1), "1899", False),
    ],
)
def test_the_birth_year_may_be_this_year_as_of_the_check(app, monkeypatch, today, year, accepted):
    monkeypatch.setattr(working_days, "today", lambda: today)
    expected = {} if accepted else {"birth_year": ["Một năm từ 1900 đến năm nay."]}
    assert _errors(app, birth_year=year) == expected


def test_a_date_of_birth_may_be_today_in_vietnam(app, monkeypatch):
    monkeypatch.setattr(working_days, "today", lambda: date(2027, 1, 1))
    assert _errors(app, date_of_birth="01/01/2027") == {}
    assert "date_of_birth" in _errors(app, date_of_birth="02/01/2027")
