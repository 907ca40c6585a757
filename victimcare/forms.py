"""The base form and validators every domain's forms use.

WTForms ships no Vietnamese translation, so forms take their built-in messages from our own
catalogue (``Form.Meta``), and validators carry messages we translate: a user never meets an
English message in the Vietnamese interface.

Bad input is refused here, once, for every form: text with control characters (PostgreSQL cannot
store NUL; CR/LF and the like have no place in a name), dates outside 1900–2100 (Python cannot
move 01/01/0001 to UTC), and hidden versions that are not numbers. Each gets a message in the
user's language and the form comes back with what they typed.
"""

import re
from datetime import UTC, date, datetime

from flask_babel import get_translations, to_utc
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeField, IntegerField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    EqualTo,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import HiddenInput, TextInput

from victimcare.i18n import format_moment

__all__ = [
    "DayField",
    "Form",
    "LocalDateTimeField",
    "MultiCheckboxField",
    "VersionField",
    "required",
    "max_length",
    "length",
    "matches",
    "equal_to",
    "Optional",
    "parse_day",
    "has_control_characters",
    "invalid_date",
]

FIRST_YEAR, LAST_YEAR = 1900, 2100
# C0 controls and DEL, and lone surrogates (which no UTF-8 text can carry); tab, CR and LF are
# allowed where a line break can be typed (text areas, imported cells), nowhere else.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_CONTROL_OR_BREAK = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")

# WTForms' own messages, marked here so they are extracted into our catalogue.
WTFORMS_MESSAGES = (
    _l("Not a valid choice."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid date value."),
    _l("Not a valid datetime value."),
    _l("Invalid email address."),
)


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    """Whether ``text`` holds a character no field stores (NUL, other controls; line breaks unless multiline)."""
    return bool((_CONTROL if multiline else _CONTROL_OR_BREAK).search(text))


def _no_control_characters(form, field):
    if isinstance(field.data, str) and has_control_characters(
        field.data, multiline=isinstance(field, TextAreaField)
    ):
        raise ValidationError(
            _l(
                "This text contains invisible control characters (such as NUL or a line break); "
                "retype it or paste it as plain text."
            )
        )


class Form(FlaskForm):
    """Every form's base: translated messages, text checked for control characters, hidden fields'
    errors shown at the top of the form (the user cannot see the field itself), and a submitted form
    holds only what was submitted.

    WTForms fills a field missing from the POST with the ``obj``/``data`` value it was built with,
    so ``AgencyForm(obj=agency)`` would save the stored values of fields an attacker (or a stale
    page) left out. Here a submission ignores ``obj``, ``data`` and keyword values: a missing field
    is empty and its validators judge it; ``obj`` only fills the form shown on GET.
    """

    class Meta:
        def get_translations(self, form):
            return get_translations()

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        formdata = self.meta.wrap_formdata(self, formdata)
        if formdata is not None:
            obj, data, kwargs = None, None, {}
        super().process(formdata, obj, data=data, extra_filters=extra_filters, **kwargs)

    def validate(self, extra_validators=None) -> bool:
        extra = {name: list(checks) for name, checks in (extra_validators or {}).items()}
        for field in self:
            if isinstance(
                field, StringField
            ):  # text areas, passwords and hidden fields are string fields too
                extra.setdefault(field.name, []).insert(0, _no_control_characters)
        valid = super().validate(extra)
        for field in self:
            if isinstance(field.widget, HiddenInput) and field.errors and field.name != "csrf_token":
                self.form_errors.extend(
                    message for message in field.errors if message not in self.form_errors
                )
        return valid


def parse_day(text: str | None) -> date | None:
    """A dd/mm/yyyy day between 1900 and 2100, or None for anything else (query-string filters)."""
    try:
        day = datetime.strptime((text or "").strip(), "%d/%m/%Y").date()
    except ValueError:
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None


class _Required(DataRequired):
    """DataRequired that keeps the reason a typed value could not be read ("not a valid date") instead
    of replacing it with "this field is required": the user did fill the field in."""

    def __call__(self, form, field):
        if field.process_errors:
            raise StopValidation()
        super().__call__(form, field)


def required() -> DataRequired:
    return _Required(message=_l("This field is required."))


def max_length(n: int) -> Length:
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


def length(min_: int, max_: int) -> Length:
    return Length(
        min=min_, max=max_, message=_l("Between %(min)d and %(max)d characters.", min=min_, max=max_)
    )


def matches(pattern: str, message) -> Regexp:
    return Regexp(pattern, message=message)


def equal_to(field_name: str, message) -> EqualTo:
    return EqualTo(field_name, message=message)


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes (the form macro renders it with Bootstrap's form-check)."""


def invalid_date(pattern: str = "dd/mm/yyyy"):
    """The one message for a day or time that cannot be read, whatever is wrong with it (issue 16)."""
    return _l("Not a valid date (%(pattern)s).", pattern=pattern)


class _YearRange:
    """A typed day or time: blank is empty (so a required field says "required"), and anything that
    does not read as one — a malformed text, an impossible day, a year outside 1900–2100 (year 1
    cannot even be moved to UTC, and no record of this system is about such a time) — gets the same
    message, "not a valid date", never "required": the user did fill the field in."""

    def process_formdata(self, valuelist):
        if not valuelist or not " ".join(valuelist).strip():
            self.data = None
            return
        super().process_formdata(valuelist)
        if self.data is not None and not FIRST_YEAR <= self.data.year <= LAST_YEAR:
            self.data = None
            raise ValueError(self.invalid_value_message)


class LocalDateTimeField(_YearRange, DateTimeField):
    """A dd/mm/yyyy HH:MM time typed in Vietnam's time zone, stored as aware UTC."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"placeholder": "dd/mm/yyyy hh:mm"})
        kwargs.setdefault("invalid_value_message", invalid_date("dd/mm/yyyy hh:mm"))
        super().__init__(label, validators, format="%d/%m/%Y %H:%M", **kwargs)

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        if self.data is None:
            return ""
        return format_moment(self.data)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and self.data.tzinfo is None:
            self.data = to_utc(self.data).replace(tzinfo=UTC)


class DayField(_YearRange, DateField):
    """A dd/mm/yyyy date in a plain text box.

    WTForms' DateField renders ``type="date"``, whose browser widget submits yyyy-mm-dd in some
    browsers and the user's locale in others; Vietnamese users type dd/mm/yyyy, so we ask for that.
    """

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"placeholder": "dd/mm/yyyy"})
        kwargs.setdefault("invalid_value_message", invalid_date())
        super().__init__(label, validators, format="%d/%m/%Y", **kwargs)


class VersionField(IntegerField):
    """The version of the record a form was opened on, hidden; it guards against lost updates.

    Anything but a small whole number means the form was altered or broken: the form is refused
    with a message (at the top: the field is hidden) and the user's input is kept.
    """

    widget = HiddenInput()
    stale = _l(
        "This form was damaged or is out of date. Your changes are below and were not saved; "
        "reload the page in another tab to see the record as it is now, then save again."
    )

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("invalid_value_message", self.stale)
        super().__init__(
            label, validators or [Optional(), NumberRange(0, 2**31 - 1, message=self.stale)], **kwargs
        )

    def _value(self):
        return "" if self.data is None else str(self.data)
