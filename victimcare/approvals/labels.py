"""Labels of approval kinds and outcomes."""

from flask_babel import lazy_gettext as _l

from victimcare.approvals.models import ApprovalKind, Outcome
from victimcare.labels import register

register(
    ApprovalKind,
    {
        ApprovalKind.ROLE_GRANT: _l("Role grant"),
        ApprovalKind.AGENCY_CHANGE: _l("Change of an agency's kind or province"),
        ApprovalKind.ERASURE: _l("Erasure of a person's data"),
    },
)
register(
    Outcome,
    {
        Outcome.APPROVED: _l("Approved"),
        Outcome.REFUSED: _l("Refused"),
        Outcome.WITHDRAWN: _l("Withdrawn"),
    },
)
