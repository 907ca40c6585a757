"""Forms for support services, lodging extensions, protection, the reintegration plan and follow-ups.

Choices that depend on the person or the case (eligible support types, agencies) are set by the
view before validation, so a type the person is not eligible for is refused as "not a valid choice".
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import NumberRange, ValidationError

from victimcare import working_days
from victimcare.forms import DayField, Form, MultiCheckboxField, Optional, VersionField, max_length, required
from victimcare.labels import choices
from victimcare.support.labels import GOAL_LABELS
from victimcare.support.models import AtRisk, FollowUpOutcome, Measure, RiskLevel
from workflows.support import DECISION_TYPES, ServiceStatus

GOALS = tuple(GOAL_LABELS)
STARTED = (ServiceStatus.IN_PROGRESS, ServiceStatus.DELIVERED)


def _not_far_future(form, field):
    """Records are of what happened; a typo of the year is caught here (planned starts may be soon)."""
    if field.data and field.data > working_days.today() + timedelta(days=366):
        raise ValidationError(_l("This date is more than a year ahead; check the year."))


def _not_in_future(form, field):
    if field.data and field.data > working_days.today():
        raise ValidationError(_l("This date cannot be in the future."))


def _not_before(other: str, message):
    def check(form, field):
        earlier = form[other].data
        if field.data and earlier and field.data < earlier:
            raise ValidationError(message)

    return check


class _CrossFieldForm(Form):
    """Checks that join fields run after the fields' own, even on an empty optional field (whose
    ``Optional()`` stops WTForms' chain before any ``validate_<field>`` method)."""

    def cross_checks(self) -> list[tuple[str, str]]:
        return []

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for name, message in self.cross_checks():
            if not self[name].errors:
                self[name].errors = [*self[name].errors, message]
            valid = False
        return valid


def optional_id(value: str | None):
    """A select's agency id as a UUID, or None for the blank choice."""
    import uuid

    return uuid.UUID(value) if value else None


class ServiceForm(_CrossFieldForm):
    """One support service; ``support_type`` choices are the person's eligible types."""

    version = VersionField()
    support_type = SelectField(_l("Support type"), validators=[required()])
    status = SelectField(
        _l("Status"),
        choices=lambda: choices(ServiceStatus),
        default=ServiceStatus.PLANNED.value,
        validators=[required()],
    )
    provider_agency_id = SelectField(_l("Provided by"), validators=[Optional()])
    starts_on = DayField(_l("Start date"), validators=[Optional(), _not_far_future])
    ends_on = DayField(
        _l("End date"),
        validators=[
            Optional(),
            _not_far_future,
            _not_before("starts_on", _l("The end cannot come before the start.")),
        ],
    )
    amount_vnd = IntegerField(
        _l("Amount (VND)"),
        validators=[
            Optional(),
            NumberRange(
                min=0, max=10_000_000_000, message=_l("Give an amount between 0 and 10 billion VND.")
            ),
        ],
        description=_l("Where money is given: food allowance, travel, schooling, hardship allowance."),
    )
    applied_on = DayField(
        _l("Application date"),
        validators=[Optional(), _not_in_future],
        description=_l(
            "Schooling, vocational training and hardship support are decided within "
            "9 working days of the application (Decree 162 Art 24)."
        ),
    )
    decision_reference = StringField(_l("Decision number"), validators=[Optional(), max_length(100)])
    decided_on = DayField(
        _l("Decision date"),
        validators=[
            Optional(),
            _not_in_future,
            _not_before("applied_on", _l("The decision cannot come before the application.")),
        ],
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), max_length(4000)])

    def cross_checks(self):
        found = []
        if not self.starts_on.data and not self.starts_on.errors and self.status.data in STARTED:
            found.append(("starts_on", _l("Give the start date of support under way or delivered.")))
        if (
            "applied_on" in self
            and not self.applied_on.data
            and not self.applied_on.errors
            and self.support_type.data in DECISION_TYPES
            and self.status.data not in (ServiceStatus.NOT_NEEDED, ServiceStatus.REFUSED)
        ):
            found.append(("applied_on", _l("This support is given on an application: give its date.")))
        return found

    def service_data(self) -> dict:
        data = {
            name: self[name].data
            for name in (
                "support_type",
                "status",
                "starts_on",
                "ends_on",
                "amount_vnd",
                "applied_on",
                "decided_on",
                "decision_reference",
                "notes",
            )
            if name in self
        }
        data["provider_agency_id"] = optional_id(self.provider_agency_id.data)
        return data


class MedicalCareForm(ServiceForm):
    """Health's part: medical or psychological care, with notes only the medical group reads.

    Care is given, not paid out or applied for: the amount and the application and decision fields of
    other support do not apply and are not asked (issue 16)."""

    amount_vnd = None
    applied_on = None
    decision_reference = None
    decided_on = None

    medical_notes = TextAreaField(
        _l("Medical notes"),
        validators=[Optional(), max_length(8000)],
        description=_l("Seen only by health workers and the owning agency's case workers."),
    )

    def service_data(self) -> dict:
        data = super().service_data()
        data["medical_notes"] = self.medical_notes.data
        return data


class ExtensionForm(Form):
    decided_on = DayField(_l("Decision date"), validators=[required(), _not_in_future])
    new_end_on = DayField(_l("Support extended until"), validators=[required(), _not_far_future])
    decision_reference = StringField(_l("Decision number"), validators=[required(), max_length(100)])


class RiskAssessmentForm(_CrossFieldForm):
    assessed_on = DayField(_l("Assessed on"), validators=[required(), _not_in_future])
    level = SelectField(_l("Risk level"), choices=lambda: choices(RiskLevel), validators=[required()])
    at_risk = MultiCheckboxField(
        _l("Who is at risk"), choices=lambda: choices(AtRisk), validators=[required()]
    )
    threat = TextAreaField(
        _l("The threat"),
        validators=[Optional(), max_length(4000)],
        description=_l("Who threatens, how, and what is known of their whereabouts."),
    )
    relatives = TextAreaField(
        _l("Relatives at risk"),
        validators=[Optional(), max_length(2000)],
        description=_l("Names and relation, where relatives are at risk."),
    )
    person_refused = BooleanField(_l("The person refuses protection"))
    commitment_reference = StringField(
        _l("Written commitment (reference)"), validators=[Optional(), max_length(200)]
    )
    closed_trial_requested = BooleanField(_l("The person asks for a closed trial"))

    def cross_checks(self):
        found = []
        if self.person_refused.data and not self.commitment_reference.data:
            found.append(
                (
                    "commitment_reference",
                    _l("A refusal needs the person's written commitment: give its reference."),
                )
            )
        if AtRisk.RELATIVES in (self.at_risk.data or []) and not self.relatives.data:
            found.append(("relatives", _l("Say which relatives are at risk.")))
        return found

    def assessment_data(self) -> dict:
        return {
            "assessed_on": self.assessed_on.data,
            "level": self.level.data,
            "at_risk": list(self.at_risk.data),
            "threat": self.threat.data or None,
            "relatives": self.relatives.data or None,
            "person_refused": self.person_refused.data,
            "commitment_reference": self.commitment_reference.data or None,
            "closed_trial_requested": self.closed_trial_requested.data,
        }


class MeasureForm(_CrossFieldForm):
    measure = SelectField(_l("Measure"), choices=lambda: choices(Measure), validators=[required()])
    for_relative = BooleanField(_l("Protects a relative rather than the person"))
    protected_name = StringField(_l("Relative's name"), validators=[Optional(), max_length(200)])
    deciding_agency_id = SelectField(_l("Decided by"), validators=[required()])
    starts_on = DayField(_l("From"), validators=[required(), _not_far_future])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), max_length(2000)])

    def cross_checks(self):
        if self.for_relative.data and not self.protected_name.data:
            return [("protected_name", _l("Name the relative this measure protects."))]
        return []

    def measure_data(self) -> dict:
        return {
            "measure": self.measure.data,
            "for_relative": self.for_relative.data,
            "protected_name": self.protected_name.data if self.for_relative.data else None,
            "deciding_agency_id": optional_id(self.deciding_agency_id.data),
            "starts_on": self.starts_on.data,
            "notes": self.notes.data or None,
        }


class EndMeasureForm(_CrossFieldForm):
    version = VersionField()
    ended_on = DayField(_l("Ended on"), validators=[Optional(), _not_in_future])
    handed_over_to_id = SelectField(_l("Or handed over to"), validators=[Optional()])

    def cross_checks(self):
        if not self.ended_on.data and not self.ended_on.errors and not self.handed_over_to_id.data:
            return [("ended_on", _l("Give the day the measure ended, or the agency it was handed over to."))]
        return []

    def end_data(self) -> dict:
        handed_over = optional_id(self.handed_over_to_id.data)
        return {
            "ended_on": self.ended_on.data,
            "handed_over_to_id": handed_over,
            "handed_over_on": working_days.today() if handed_over else None,
        }


class PlanForm(Form):
    version = VersionField()
    starts_on = DayField(
        _l("Plan starts on"),
        validators=[required(), _not_far_future],
        description=_l("Follow-up visits are scheduled 1, 3, 6 and 12 months after this day."),
    )
    housing = TextAreaField(GOAL_LABELS["housing"], validators=[Optional(), max_length(2000)])
    schooling = TextAreaField(GOAL_LABELS["schooling"], validators=[Optional(), max_length(2000)])
    work = TextAreaField(GOAL_LABELS["work"], validators=[Optional(), max_length(2000)])
    health = TextAreaField(GOAL_LABELS["health"], validators=[Optional(), max_length(2000)])
    family = TextAreaField(GOAL_LABELS["family"], validators=[Optional(), max_length(2000)])
    legal_status = TextAreaField(GOAL_LABELS["legal_status"], validators=[Optional(), max_length(2000)])

    def validate_starts_on(self, field):
        if not any(self[goal].data for goal in GOALS):
            raise ValidationError(_l("Write at least one goal of the plan."))

    def plan_data(self) -> dict:
        return {"starts_on": self.starts_on.data, "goals": {goal: self[goal].data or "" for goal in GOALS}}


class FollowUpForm(Form):
    version = VersionField()
    done_on = DayField(_l("Visit date"), validators=[required(), _not_in_future])
    outcome = SelectField(_l("Outcome"), choices=lambda: choices(FollowUpOutcome), validators=[required()])
    re_trafficking_risk = SelectField(
        _l("Risk of re-trafficking"), choices=lambda: choices(RiskLevel), validators=[required()]
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), max_length(4000)])

    def follow_up_data(self) -> dict:
        return {name: self[name].data for name in ("done_on", "outcome", "re_trafficking_risk", "notes")}
