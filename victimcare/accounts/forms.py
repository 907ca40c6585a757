"""Forms for logging in, one's own account, and account administration."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from victimcare.accounts.models import AgencyKind, Role
from victimcare.forms import Form, Optional, equal_to, length, matches, max_length, required
from victimcare.labels import choices

USERNAME_PATTERN = r"^[A-Za-z0-9._-]+$"


class LoginForm(Form):
    username = StringField(_l("Username"), validators=[required(), max_length(64)])
    password = PasswordField(_l("Password"), validators=[required(), max_length(1024)])


class CodeForm(Form):
    """The second step of logging in, and the first code of a new authenticator."""

    code = StringField(
        _l("Code"),
        validators=[required(), max_length(64)],
        description=_l("The six digits your authenticator app shows now, or one of your recovery codes."),
    )


class StepUpForm(Form):
    """Confirming who one is before a dangerous act: a code, or the password without a second factor.

    The field's name is the step-up's own, so the form being held back can be sent again as it was.
    """

    step_up_code = StringField(_l("Code or password"), validators=[required(), max_length(1024)])


class ChangePasswordForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[required()])
    new_password = PasswordField(
        _l("New password"),
        validators=[required(), max_length(1024)],
        description=_l("At least 12 characters; a phrase of several words is easiest to remember."),
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[required(), equal_to("new_password", _l("The two new passwords differ."))],
    )


class LanguageForm(Form):
    locale = HiddenField(validators=[required()])
    next = HiddenField()


class ConfirmForm(Form):
    """A button that changes something: it only carries the CSRF token."""


class UserForm(Form):
    display_name = StringField(_l("Full name of the staff member"), validators=[required(), max_length(120)])
    agency = SelectField(_l("Agency"), validators=[required()])
    role = SelectField(_l("Role"), validators=[required()])

    def __init__(self, agencies, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency.choices = [SelectChoice(value=str(a.id), label=f"{a.name} ({a.code})") for a in agencies]
        self.role.choices = choices(Role)


class NewUserForm(UserForm):
    username = StringField(
        _l("Username"),
        validators=[
            required(),
            length(3, 64),
            matches(USERNAME_PATTERN, _l("Use only letters a–z, digits, dots, dashes and underscores.")),
        ],
    )


class AgencyForm(Form):
    code = StringField(
        _l("Code"),
        validators=[
            required(),
            max_length(40),
            matches(r"^[a-z0-9-]+$", _l("Use lower-case letters, digits and dashes.")),
        ],
    )
    name = StringField(_l("Name"), validators=[required(), max_length(200)])
    kind = SelectField(_l("Kind"), choices=lambda: choices(AgencyKind))
    province_code = StringField(_l("Province code"), validators=[required(), max_length(10)])
    district_code = StringField(
        _l("District code"),
        validators=[Optional(), max_length(10)],
        description=_l("Only for records from before the 2025 reorganisation."),
    )
    commune_code = StringField(_l("Commune code"), validators=[Optional(), max_length(10)])
    # No "active" box: a checkbox left out of a POST reads as unticked, so deactivating (which
    # stops every member of staff) is its own confirmed action, as for users.
