"""Forms to send and answer referrals and to record consent."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError

from victimcare import working_days
from victimcare.access import FieldGroup
from victimcare.accounts.models import Agency, AgencyKind
from victimcare.database import utcnow
from victimcare.forms import (
    DayField,
    Form,
    LocalDateTimeField,
    MultiCheckboxField,
    Optional,
    VersionField,
    max_length,
    required,
)
from victimcare.i18n import format_day
from victimcare.labels import choices, label
from victimcare.referrals.models import Consent, ConsentGiver, ConsentMethod
from workflows.referral import LegalBasis, Purpose, ReferralKind, Urgency


class SendReferralForm(Form):
    """Receiving agency, consent and field groups are offered per case and purpose (``offer``)."""

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

    def offer(self, sender: Agency, agencies: list[Agency], consents: list[Consent], default_groups) -> None:
        """The choices for this case and purpose: the receiving agencies (another province's marked),
        the case's consents; on a first visit, the purpose's least groups and a lone consent chosen."""
        self._agencies = {str(a.id): a for a in agencies}
        self._consents = {str(c.id): c for c in consents}
        self.to_agency.choices = [("", "—")] + [
            (key, _agency_choice(a, sender)) for key, a in self._agencies.items()
        ]
        self.consent.choices = [("", "—")] + [(key, consent_summary(c)) for key, c in self._consents.items()]
        if not self.is_submitted():
            self.groups.data = list(default_groups)
            if len(consents) == 1:
                self.consent.data = str(consents[0].id)

    def sending(self, purpose: Purpose) -> dict:
        """What a validated form asks to send (``referrals.operations.send``'s arguments)."""
        return dict(
            to_agency=self._agencies[self.to_agency.data],
            kind=ReferralKind(self.kind.data),
            purpose=purpose,
            urgency=Urgency(self.urgency.data),
            groups=set(self.groups.data or []),
            legal_basis=LegalBasis(self.legal_basis.data),
            consent=self._consents.get(self.consent.data),
            message=self.message.data,
        )


def _agency_choice(agency: Agency, sender: Agency) -> str:
    elsewhere = "" if agency.province_code == sender.province_code else ", " + agency.province_code
    return f"{agency.name} ({label(agency.kind)}{elsewhere})"


def consent_summary(consent: Consent) -> str:
    kinds = ", ".join(label(AgencyKind(k)) for k in consent.agency_kinds)
    purposes = ", ".join(label(Purpose(p)) for p in consent.purposes)
    return f"{format_day(consent.given_at)}: {kinds} — {purposes}"


class AnswerForm(Form):
    version = VersionField()
    reason = TextAreaField(_l("Reason"), validators=[Optional(), max_length(1000)])
    # Accepting a transfer: the colleague who will carry the case (empty: the person accepting).
    # The operation checks the choice; the page lists the agency's workers.
    assign_to = SelectField(_l("Who will carry the case"), choices=[], validate_choice=False)


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


def _not_after_today(form, field):
    if field.data and field.data > working_days.today():
        raise ValidationError(_l("This date cannot be in the future."))


class WithdrawConsentForm(Form):
    """Withdrawing consent ends what rests on it: asked for once more, with the day and the reason."""

    withdrawn_on = DayField(
        _l("Day the person withdrew consent"),
        validators=[required(), _not_after_today],
        default=lambda: working_days.today(),
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[required(), max_length(1000)],
        description=_l("In the person's words where possible. Kept sealed, like the rest of their record."),
    )
    confirm = BooleanField(_l("I confirm: the person withdraws this consent."), validators=[required()])
