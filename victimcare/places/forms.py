"""Fields that pick a place: a province from a list, a commune and a country by typing part of the
name and choosing from the suggestions (``<input list>`` and ``<datalist>``: searchable in every
browser, no script needed, nothing from a CDN).

Each stores the code and shows the name. What was typed is read back to its code (a code or a
name, with or without diacritics); anything else is refused with a message in the user's
language, and the form comes back with the text as typed. ``static/js/places.js`` narrows the
communes offered when the province changes.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput

from victimcare import places


class _DatalistInput(TextInput):
    """A text box with its suggestions (``field.suggestions()``) in a datalist beside it."""

    def __call__(self, field, **kwargs):
        list_id = f"{field.id}-options"
        kwargs.setdefault("list", list_id)
        kwargs.setdefault("autocomplete", "off")
        kwargs.update(field.extra_attributes())
        options = "".join(f'<option value="{escape(name)}"></option>' for name in field.suggestions())
        return Markup(f'{super().__call__(field, **kwargs)}<datalist id="{list_id}">{options}</datalist>')


class _PlaceField(StringField):
    """Text typed in, a code stored; ``_find`` reads the text, ``_name`` shows a code."""

    widget = _DatalistInput()

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self._name(self.data) or self.data or ""

    def _name(self, code):
        raise NotImplementedError

    def suggestions(self):
        return []

    def extra_attributes(self) -> dict:
        return {}


class CountryField(_PlaceField):
    """A country, stored as its two-letter ISO code."""

    refused = _l("Choose a country from the list (for example Việt Nam, Trung Quốc, Lào).")

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("description", _l("Type part of the name and choose from the list."))
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if text:
            self.data = places.find_country(text)
            if self.data is None:
                raise ValueError(self.refused)

    def _name(self, code):
        return places.country_name(code)

    def suggestions(self):
        return places.countries().values()


def province_choices() -> list[SelectChoice]:
    """The 34 provinces by their everyday name ("Lào Cai"), in alphabetical order."""
    from victimcare.crypto.normalise import fold_name

    named = sorted(
        ((code, places.short_province_name(code)) for code in places.provinces()),
        key=lambda c: fold_name(c[1]),
    )
    return [SelectChoice("", "—"), *(SelectChoice(code, name) for code, name in named)]


class ProvinceField(SelectField):
    """One of the 34 provinces of 2025, stored as its two-digit code.

    A value stored before the list was enforced ("Lào Cai" typed in) is read back to its code
    when the form opens, so saving it again stores the code instead of dropping it.
    """

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("choices", province_choices)
        super().__init__(label, validators, **kwargs)

    def process_data(self, value):
        super().process_data(places.find_province(value) if value else value)

    def pre_validate(self, form):
        if self.data and self.data not in places.provinces():
            raise ValidationError(_l("Choose a province from the list."))


class CommuneField(_PlaceField):
    """A commune or ward of the province chosen in ``province`` (another field of the same form),
    stored as its five-digit code. The form links the two after it is built (``link_communes``)."""

    province: ProvinceField | None = None

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault(
            "description", _l("Choose the province first, then type part of the commune's or ward's name.")
        )
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        self.data = (valuelist[0] if valuelist else "").strip() or None  # read in pre_validate

    def _province_code(self) -> str | None:
        code = self.province.data if self.province is not None else None
        return code if code in places.provinces() else None

    def pre_validate(self, form):
        if not self.data:
            self.data = None
            return
        province = self._province_code()
        code = places.find_commune(self.data, province)
        if code is None:
            self.data = None
            if province is None:
                raise ValidationError(_l("Choose the province first: communes are listed by province."))
            raise ValidationError(
                _l(
                    "Not a commune or ward of %(province)s: choose one from the list.",
                    province=places.province_name(province),
                )
            )
        if self.province is not None and not self.province.data:
            self.province.data = places.commune_province(code)  # a commune code names its province
        self.data = code

    def _name(self, code):
        return places.commune_name(code)

    def suggestions(self):
        return places.communes(self._province_code()).values()

    def extra_attributes(self) -> dict:
        if self.province is None:
            return {}
        return {
            "data-communes-of": self.province.id,
            "data-source": url_for("places.communes", province_code="01").rsplit("/", 1)[0] + "/",
        }


def link_communes(form, commune: str = "commune_code", province: str = "province_code") -> None:
    """Tell the commune field of ``form`` which field holds its province."""
    form[commune].province = form[province]
