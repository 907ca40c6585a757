"""Forms to send and answer referrals and to record consent."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError

from victimcare.access import FieldGroup
from victimcare.accounts.models import AgencyKind
from victimcare.database import utcnow
from victimcare.forms import (
    Form,
    LocalDateTimeField,
    MultiCheckboxField,
    Optional,
    VersionField,
    max_length,
    required,
)
from victimcare.labels import choices
from victimcare.referrals.models import ConsentGiver, ConsentMethod
from workflows.referral import LegalBasis, Purpose, ReferralKind, Urgency


class SendReferralForm(Form):
    """Receiving agency, consent and field groups are filled per case and purpose by the view."""

    kind = RadioField(
        _l("Kind of handoff"),
        choices=lambda: choices(ReferralKind),
        default=ReferralKind.REFERRAL.value,
        description=_l(
            "A referral lets the receiver read the parts you choose below while it works on the case; "
            "a transfer hands over the whole case and its record, and the parts to share do not apply."
        ),
    )
    to_agency = SelectField(_l("Receiving agency"), validators=[required()], choices=[])
    urgency = RadioField(_l("Urgency"), choices=lambda: choices(Urgency), default=Urgency.NORMAL.value)
    groups = MultiCheckboxField(
        _l("Parts of the record to share"),
        choices=lambda: choices(FieldGroup),
        description=_l(
            "Preselected: the least this purpose needs. The receiver sees these parts only, and only once it has accepted."
        ),
    )
    legal_basis = SelectField(
        _l("Basis for sharing"),
        choices=lambda: choices(LegalBasis),
        default=LegalBasis.CONSENT.value,
        description=_l("A legal duty instead of consent is recorded and shown to supervisors."),
    )
    consent = SelectField(_l("Consent"), choices=[], validate_choice=False)
    message = TextAreaField(_l("Message to the receiving agency"), validators=[Optional(), max_length(2000)])
    confirmed = HiddenField()


class AnswerForm(Form):
    version = VersionField()
    reason = TextAreaField(_l("Reason"), validators=[Optional(), max_length(1000)])


def _not_in_future(form, field):
    if field.data and field.data > utcnow():
        raise ValidationError(_l("This time is in the future."))


class ConsentForm(Form):
    given_by = RadioField(
        _l("Consent given by"), choices=lambda: choices(ConsentGiver), default=ConsentGiver.PERSON.value
    )
    guardian_name = StringField(_l("Guardian's name"), validators=[Optional(), max_length(200)])
    agency_kinds = MultiCheckboxField(
        _l("May be shared with these kinds of agency"), choices=lambda: choices(AgencyKind)
    )
    purposes = MultiCheckboxField(_l("For these purposes"), choices=lambda: choices(Purpose))
    for_statistics = BooleanField(_l("May be counted in statistics"))
    contact_family = BooleanField(_l("The family may be contacted"))
    method = RadioField(
        _l("How consent was given"),
        choices=lambda: choices(ConsentMethod),
        default=ConsentMethod.SIGNED_FORM.value,
    )
    witness_name = StringField(_l("Witness's name"), validators=[Optional(), max_length(200)])
    given_at = LocalDateTimeField(_l("When"), validators=[required(), _not_in_future])
