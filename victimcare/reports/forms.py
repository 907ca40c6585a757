"""Forms of the statistics pages: releasing a report file, approving a period."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from victimcare.forms import Form, max_length, required


class ExportForm(Form):
    period = HiddenField()
    scope = HiddenField()
    file_format = SelectField(
        _l("Format"),
        choices=[SelectChoice(value="xlsx", label="Excel (XLSX)"), SelectChoice(value="pdf", label="PDF")],
    )
    recipient = StringField(
        _l("Released to"),
        validators=[required(), max_length(200)],
        description=_l("The office or agency that receives this file, e.g. Ban Chỉ đạo 138 tỉnh."),
    )


class ApproveForm(Form):
    period = HiddenField()
    scope = HiddenField()
