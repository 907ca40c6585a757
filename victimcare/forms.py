"""The base form and validators every domain's forms use.

WTForms ships no Vietnamese translation, so forms take their built-in messages from our own
catalogue (``Form.Meta``), and validators carry messages we translate: a user never meets an
English message in the Vietnamese interface.
"""
from datetime import UTC

from flask_babel import get_translations, to_user_timezone, to_utc
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeField, SelectMultipleField
from wtforms.widgets import TextInput
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

__all__ = ["DayField", "Form", "LocalDateTimeField", "MultiCheckboxField", "required", "max_length", "length", "matches",
           "equal_to", "Optional"]

# WTForms' own messages, marked here so they are extracted into our catalogue.
WTFORMS_MESSAGES = (
    _l("Not a valid choice."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid date value."),
    _l("Not a valid datetime value."),
    _l("Invalid email address."),
)


class Form(FlaskForm):
    """Every form's base. A submitted form holds only what was submitted.

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


def required() -> DataRequired:
    return DataRequired(message=_l("This field is required."))


def max_length(n: int) -> Length:
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


def length(min_: int, max_: int) -> Length:
    return Length(min=min_, max=max_, message=_l("Between %(min)d and %(max)d characters.", min=min_, max=max_))


def matches(pattern: str, message) -> Regexp:
    return Regexp(pattern, message=message)


def equal_to(field_name: str, message) -> EqualTo:
    return EqualTo(field_name, message=message)


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes (the form macro renders it with Bootstrap's form-check)."""


class LocalDateTimeField(DateTimeField):
    """A dd/mm/yyyy HH:MM time typed in Vietnam's time zone, stored as aware UTC."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"placeholder": "dd/mm/yyyy hh:mm"})
        super().__init__(label, validators, format="%d/%m/%Y %H:%M", **kwargs)

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        if self.data is None:
            return ""
        return to_user_timezone(self.data).strftime("%d/%m/%Y %H:%M")

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and self.data.tzinfo is None:
            self.data = to_utc(self.data).replace(tzinfo=UTC)


class DayField(DateField):
    """A dd/mm/yyyy date in a plain text box.

    WTForms' DateField renders ``type="date"``, whose browser widget submits yyyy-mm-dd in some
    browsers and the user's locale in others; Vietnamese users type dd/mm/yyyy, so we ask for that.
    """

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"placeholder": "dd/mm/yyyy"})
        super().__init__(label, validators, format="%d/%m/%Y", **kwargs)
