"""Forms for intake, search and erasure."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import NumberRange, ValidationError

from victimcare.cases.models import DocumentType, Gender
from victimcare.cases.operations import ErasureReason, SearchKind
from victimcare.crypto import normalise
from victimcare.forms import Form, Optional, matches, max_length, required
from victimcare.labels import choices

def tristate_choices() -> list[SelectChoice]:
    return [SelectChoice("", str(_l("Unknown"))), SelectChoice("yes", str(_l("Yes"))), SelectChoice("no", str(_l("No")))]


def _tristate(value):
    return {"yes": True, "no": False}.get(value)


def _valid_phone(form, field):
    if field.data and not normalise.phone(field.data):
        raise ValidationError(_l("This is not a phone number (e.g. 0912 345 678 or +84 912 345 678)."))


def _not_in_future(form, field):
    if field.data and field.data > date.today():
        raise ValidationError(_l("The date of birth cannot be in the future."))


class SearchForm(Form):
    kind = SelectField(_l("Search by"), choices=lambda: choices(SearchKind), default=SearchKind.NAME.value)
    q = StringField(_l("Search for"), validators=[required(), max_length(200)],
                    description=_l("Type the whole name: it matches with or without diacritics, in any case and any word order. ID and phone numbers match however they are spaced."))


class IntakeForm(Form):
    full_name = StringField(_l("Full name"), validators=[required(), max_length(200)])
    other_names = StringField(_l("Other names"), validators=[Optional(), max_length(200)])
    gender = SelectField(_l("Sex"), choices=lambda: choices(Gender), default=Gender.UNKNOWN.value)
    date_of_birth = DateField(_l("Date of birth"), format="%d/%m/%Y", validators=[Optional(), _not_in_future],
                              description=_l("dd/mm/yyyy"), render_kw={"placeholder": "dd/mm/yyyy"})
    birth_year = IntegerField(_l("Year of birth (if the date is unknown)"),
                              validators=[Optional(), NumberRange(1900, date.today().year, message=_l("A year between 1900 and this year."))])
    nationality = StringField(_l("Nationality (country code)"), default="VN",
                              validators=[required(), matches(r"^[A-Za-z]{2}$", _l("Two letters, e.g. VN, CN, LA."))])
    is_ethnic_minority = SelectField(_l("Ethnic minority"), choices=tristate_choices, default="")
    id_document_type = SelectField(_l("ID document"), choices=lambda: [SelectChoice("", "—"), *choices(DocumentType)], validators=[Optional()])
    id_number = StringField(_l("ID document number"), validators=[Optional(), max_length(40)])
    phone = StringField(_l("Phone"), validators=[Optional(), max_length(40), _valid_phone])
    home_address = TextAreaField(_l("Home address"), validators=[Optional(), max_length(500)])
    province_code = StringField(_l("Province of residence (code)"), validators=[Optional(), max_length(10)])
    commune_code = StringField(_l("Commune of residence (code)"), validators=[Optional(), max_length(10)])
    confirm_new_person = BooleanField(_l("I have checked: this is a new case (open it anyway)"))

    def validate_id_number(self, field):
        if field.data and not self.id_document_type.data:
            raise ValidationError(_l("Choose the kind of document for this number."))

    def victim_data(self) -> dict:
        data = {name: self[name].data for name in (
            "full_name", "other_names", "gender", "date_of_birth", "birth_year", "id_number",
            "phone", "home_address", "province_code", "commune_code",
        )}
        data["phone"] = normalise.phone(self.phone.data) or None
        data["nationality"] = self.nationality.data.upper()
        data["is_ethnic_minority"] = _tristate(self.is_ethnic_minority.data)
        data["id_document_type"] = self.id_document_type.data or None
        return data


class EraseForm(Form):
    reason = SelectField(_l("Reason"), choices=lambda: choices(ErasureReason), validators=[required()])
    confirm = BooleanField(_l("I understand that this person's personal data will be destroyed in every case, for good."),
                           validators=[required()])
