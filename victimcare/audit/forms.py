"""The reviewer's mark on flagged events of the log."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import NumberRange
from wtforms.widgets import HiddenInput

from victimcare.forms import DayField, Form, Optional, max_length, required


class ReviewForm(Form):
    """One event (``seq``) or every flagged event of a day (``day``), with a note either way."""

    seq = IntegerField(
        widget=HiddenInput(),
        validators=[Optional(), NumberRange(min=1, max=2**62, message=_l("Not an event of the log."))],
    )
    day = DayField(_l("Day"), validators=[Optional()])
    note = TextAreaField(
        _l("Review note"),
        validators=[required(), max_length(500)],
        description=_l("What you checked and concluded. Name a case by its reference, never the person."),
    )
    back = HiddenField()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and (self.seq.data is None) == (self.day.data is None):
            self.day.errors.append(_l("Mark one event or one day."))
            return False
        return valid
