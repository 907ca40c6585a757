"""Forms for intake, search and erasure."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, ValidationError

from victimcare import working_days
from victimcare.cases.labels import FACT_VALUES
from victimcare.cases.models import (
    USUAL_CHANNEL,
    DocumentType,
    Exploitation,
    Gender,
    IntakeChannel,
    LegalHoldReason,
    PersonRole,
)
from victimcare.cases.operations import ErasureReason, OtherPersonChoice, SearchKind
from victimcare.crypto import normalise
from victimcare.database import utcnow
from victimcare.forms import (
    DayField,
    Form,
    LocalDateTimeField,
    MultiCheckboxField,
    Optional,
    VersionField,
    length,
    max_length,
    required,
)
from victimcare.labels import choices, label
from victimcare.places.forms import CommuneField, CountryField, ProvinceField, link_communes
from workflows.victim_path import Fact, Transition


def tristate_choices() -> list[SelectChoice]:
    return [
        SelectChoice("", str(_l("Unknown"))),
        SelectChoice("yes", str(_l("Yes"))),
        SelectChoice("no", str(_l("No"))),
    ]


def _tristate(value):
    return {"yes": True, "no": False}.get(value)


def tristate_value(flag: bool | None) -> str:
    """The select value for a yes / no / unknown fact."""
    return {True: "yes", False: "no"}.get(flag, "")


def _valid_phone(form, field):
    if field.data and not normalise.phone(field.data):
        raise ValidationError(_l("This is not a phone number (e.g. 0912 345 678 or +84 912 345 678)."))


def _not_in_future(form, field):
    if field.data and field.data > working_days.today():
        raise ValidationError(_l("The date of birth cannot be in the future."))


def _birth_year(form, field):
    """This year is read when the form is checked, not when the module loads (a worker started in
    December would refuse January's births), and in Vietnam's calendar, like every day the app counts."""
    if field.data is not None and not 1900 <= field.data <= working_days.today().year:
        raise ValidationError(_l("A year between 1900 and this year."))


class SearchForm(Form):
    kind = SelectField(_l("Search by"), choices=lambda: choices(SearchKind), default=SearchKind.NAME.value)
    q = StringField(
        _l("Search for"),
        validators=[required(), max_length(200)],
        description=_l(
            "A name is found only whole (“Giàng Thị Mai”; “Giang” alone finds nothing), with or without "
            "diacritics, in any word order; add the date of birth to tell namesakes apart. A case "
            "reference may be typed in full or as its number (VC-2026-000042, 2026-42 or 42). ID and "
            "phone numbers match however they are spaced."
        ),
    )
    born = DayField(_l("Date of birth"), validators=[Optional(), _not_in_future])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.kind.data == SearchKind.NAME_AND_BIRTH and not self.born.data and not self.born.errors:
            self.born.errors = [_l("Give the date of birth, or search by the name alone.")]
            valid = False
        return valid


class PersonForm(Form):
    """The person's identity and contact fields (intake, and the case page's edit form)."""

    full_name = StringField(_l("Full name"), validators=[required(), max_length(200)])
    other_names = StringField(_l("Other names"), validators=[Optional(), max_length(200)])
    gender = SelectField(_l("Sex"), choices=lambda: choices(Gender), default=Gender.UNKNOWN.value)
    date_of_birth = DayField(_l("Date of birth"), validators=[Optional(), _not_in_future])
    birth_year = IntegerField(
        _l("Year of birth (if the date is unknown)"),
        validators=[Optional(), _birth_year],
    )
    nationality = CountryField(_l("Nationality"), default="VN", validators=[required()])
    is_ethnic_minority = SelectField(_l("Ethnic minority"), choices=tristate_choices, default="")
    id_document_type = SelectField(
        _l("ID document"),
        choices=lambda: [SelectChoice("", "—"), *choices(DocumentType)],
        validators=[Optional()],
    )
    id_number = StringField(_l("ID document number"), validators=[Optional(), max_length(40)])
    phone = StringField(_l("Phone"), validators=[Optional(), max_length(40), _valid_phone])
    home_address = TextAreaField(_l("Home address"), validators=[Optional(), max_length(500)])
    province_code = ProvinceField(_l("Province of residence"), validators=[Optional()])
    commune_code = CommuneField(_l("Commune or ward of residence"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        link_communes(self)

    def validate_id_number(self, field):
        if field.data and not self.id_document_type.data:
            raise ValidationError(_l("Choose the kind of document for this number."))

    def victim_data(self) -> dict:
        data = {
            name: self[name].data
            for name in (
                "full_name",
                "other_names",
                "gender",
                "date_of_birth",
                "birth_year",
                "id_number",
                "phone",
                "home_address",
                "province_code",
                "commune_code",
            )
        }
        data["phone"] = normalise.phone(self.phone.data) or None
        data["nationality"] = self.nationality.data
        data["province_code"] = self.province_code.data or None
        data["is_ethnic_minority"] = _tristate(self.is_ethnic_minority.data)
        data["id_document_type"] = self.id_document_type.data or None
        return data


class CaseFactsForm(Form):
    """Coded facts of the exploitation, and the narrative (sealed)."""

    exploitation = MultiCheckboxField(_l("Forms of exploitation"), choices=lambda: choices(Exploitation))
    trafficked_abroad = SelectField(_l("Trafficked abroad"), choices=tristate_choices, default="")
    destination_country = CountryField(_l("Destination country"), validators=[Optional()])
    person_abroad = BooleanField(
        _l("The person is abroad now"),
        description=_l("Support for a person under identification abroad is narrower (Law Art 37)."),
    )
    narrative = TextAreaField(
        _l("What happened, in the person's words"),
        validators=[Optional(), max_length(20000)],
        render_kw={"rows": 5},
    )

    def case_data(self) -> dict:
        return {
            "exploitation": list(self.exploitation.data or []),
            "trafficked_abroad": _tristate(self.trafficked_abroad.data),
            "destination_country": self.destination_country.data or None,
            "person_abroad": bool(self.person_abroad.data),
            "narrative": self.narrative.data or None,
        }


class IntakeForm(PersonForm, CaseFactsForm):
    channel = SelectField(
        _l("How the person reached us"),
        choices=lambda: choices(IntakeChannel),
        default=lambda: usual_channel(),
        validators=[required()],
    )
    received_at = LocalDateTimeField(_l("Received at"), validators=[required()], default=utcnow)
    confirm_new_person = BooleanField(_l("I have checked: this is a new case (open it anyway)"))

    def validate_received_at(self, field):
        if field.data and field.data > utcnow():
            raise ValidationError(_l("The time of reception cannot be in the future."))

    def case_data(self) -> dict:
        return {
            **super().case_data(),
            "intake_channel": self.channel.data,
            "received_at": self.received_at.data,
        }


def usual_channel() -> str:
    """The logged-in user's agency's usual way of receiving a person (``USUAL_CHANNEL``)."""
    from flask_login import current_user

    kind = current_user.agency.kind if current_user and current_user.is_authenticated else None
    return USUAL_CHANNEL.get(kind, IntakeChannel.SELF_PRESENTED).value


class EditPersonForm(PersonForm):
    version = VersionField()


class EditCaseFactsForm(CaseFactsForm):
    version = VersionField()
    investigation_notes = TextAreaField(
        _l("Investigation notes"), validators=[Optional(), max_length(20000)], render_kw={"rows": 4}
    )


class BreakGlassForm(Form):
    reason = TextAreaField(
        _l("Why you need this record now"),
        validators=[required(), length(20, 2000)],
        description=_l("Emergency access lasts one hour, is recorded and shown to supervisors."),
    )


class _MarkedRequired:
    """Marks a field required (the label's asterisk, the input's ``required``) and leaves the refusal
    to the step's check, whose message says why (the law's article), not just "required"."""

    field_flags = {"required": True}

    def __call__(self, form, field):
        pass


def _fact_field(fact: Fact, agency_kind: str | None = None):
    label = _l(fact.label)
    if fact.required and fact.kind not in ("yes", "multi"):
        validators = [required()]
    elif fact.required_of(agency_kind):
        validators = [Optional(), _MarkedRequired()]
    else:
        validators = [Optional()]
    options = lambda: [SelectChoice(v, str(FACT_VALUES.get(v, v))) for v in fact.choices]  # noqa: E731
    if fact.kind == "choice":  # no choice is made for the user: "—" until they pick, or the records say
        return SelectField(label, choices=lambda: [SelectChoice("", "—"), *options()], validators=validators)
    if fact.kind == "multi":
        return MultiCheckboxField(label, choices=options)
    if fact.kind == "date":
        return DayField(label, validators=validators)
    if fact.kind == "datetime":
        return LocalDateTimeField(label, validators=validators)
    if fact.kind == "yes":
        return BooleanField(label)
    if fact.kind == "country":
        return CountryField(label, validators=[Optional()])
    if fact.kind == "agency":
        return SelectField(label, choices=lambda: _agency_choices(fact.choices), validators=validators)
    if fact.kind == "province":
        return ProvinceField(label, validators=validators)
    return StringField(label, validators=[*validators, max_length(500)])


def _agency_choices(kinds: tuple[str, ...]) -> list[SelectChoice]:
    """Active agencies of these kinds, by province then name; the stored value is the agency's code."""
    import sqlalchemy as sa

    from victimcare.accounts.models import Agency
    from victimcare.extensions import db

    agencies = db.session.scalars(
        sa.select(Agency)
        .where(Agency.kind.in_(kinds), Agency.active.is_(True))
        .order_by(Agency.province_code, Agency.name)
    ).all()
    return [SelectChoice("", "—"), *(SelectChoice(a.code, f"{a.name} ({a.province_code})") for a in agencies)]


def transition_form(transition: Transition, agency_kind: str | None = None, **kwargs) -> Form:
    """A form asking for exactly the facts this transition needs; a fact that checks require of
    ``agency_kind`` (the acting user's) is marked required on its form."""

    class TransitionForm(Form):
        version = VersionField()

        def facts(self) -> dict:
            data = {}
            for fact in transition.facts:
                data[fact.name] = self[fact.name].data
            return data

    for fact in transition.facts:
        setattr(TransitionForm, fact.name, _fact_field(fact, agency_kind))
    return TransitionForm(**kwargs)


class LegalHoldForm(Form):
    reason = SelectField(
        _l("Reason for the hold"), choices=lambda: choices(LegalHoldReason), validators=[required()]
    )


class EraseForm(Form):
    reason = SelectField(_l("Reason"), choices=lambda: choices(ErasureReason), validators=[required()])
    confirm = BooleanField(
        _l("I understand that this person's personal data will be destroyed in every case, for good."),
        validators=[required()],
    )

    def other_choices(self) -> dict:
        """``CasePerson.id`` → the choice made for them (see ``erase_form``)."""
        return {case_person_id: self[name].data for name, case_person_id in self._other_fields.items()}

    def other_fields(self) -> list:
        return [self[name] for name in self._other_fields]

    _other_fields: dict = {}


def erase_form(people, **kwargs) -> EraseForm:
    """The erasure form with one required choice per other person on the case, none preselected.

    Each is named by role and number on the case, so the form decrypts nothing: a supervisor who
    may not read a person still decides about them.
    """
    choice_items = [
        SelectChoice(OtherPersonChoice.ERASE.value, str(_l("Erase their personal data too"))),
        SelectChoice(OtherPersonChoice.KEEP.value, str(_l("Keep them on this case, readable as before"))),
    ]
    fields = {f"other_{p.case_person.id.hex}": p for p in people}

    class _EraseForm(EraseForm):
        _other_fields = {name: p.case_person.id for name, p in fields.items()}

    for name, person in fields.items():
        setattr(
            _EraseForm,
            name,
            RadioField(
                _l(
                    "%(role)s no. %(number)s",
                    role=label(PersonRole(person.case_person.role)),
                    number=person.number,
                ),
                choices=choice_items,
                validate_choice=False,
                validators=[
                    InputRequired(_l("Choose what happens to this person.")),
                    AnyOf(
                        [choice.value for choice in choice_items],
                        message=_l("Choose what happens to this person."),
                    ),
                ],
            ),
        )
    return _EraseForm(**kwargs)


class CasePersonForm(Form):
    """A child travelling with the victim, a relative at risk, or another person under identification."""

    role = SelectField(_l("Who this is"), choices=lambda: choices(PersonRole), validators=[required()])
    full_name = StringField(_l("Full name"), validators=[required(), max_length(200)])
    gender = SelectField(_l("Sex"), choices=lambda: choices(Gender), default=Gender.UNKNOWN.value)
    date_of_birth = DayField(_l("Date of birth"), validators=[Optional(), _not_in_future])
    phone = StringField(_l("Phone"), validators=[Optional(), max_length(40), _valid_phone])

    def person_data(self) -> dict:
        return {
            "full_name": self.full_name.data,
            "gender": self.gender.data,
            "date_of_birth": self.date_of_birth.data,
            "phone": normalise.phone(self.phone.data) or None,
        }


class TakeForm(Form):
    """A worker takes an unassigned case of their agency."""

    version = VersionField()


class AssignForm(Form):
    """A supervisor gives a case to a worker of the owning agency; the view lists them and the
    operation checks the choice (so a worker of another agency is refused with a reason, not "not a
    valid choice")."""

    user = SelectField(_l("Assign to"), choices=[], validate_choice=False, validators=[required()])
    version = VersionField()
