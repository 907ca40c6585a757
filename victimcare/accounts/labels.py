"""Labels of agency kinds and roles."""

from flask_babel import lazy_gettext as _l

from victimcare.accounts.models import AgencyKind, Role
from victimcare.labels import register

register(
    AgencyKind,
    {
        AgencyKind.POLICE: _l("Police"),
        AgencyKind.BORDER_GUARD: _l("Border guard"),
        AgencyKind.SOCIAL_AFFAIRS: _l("Social affairs"),
        AgencyKind.HEALTH: _l("Health"),
        AgencyKind.JUSTICE: _l("Legal aid"),
        AgencyKind.WOMENS_UNION: _l("Women's union"),
        AgencyKind.FOREIGN_AFFAIRS: _l("Foreign affairs"),
        AgencyKind.PROCURACY: _l("Procuracy and courts"),
        AgencyKind.COMMUNE: _l("Commune people's committee"),
    },
)
register(
    Role,
    {
        Role.OFFICER: _l("Officer"),
        Role.CASE_WORKER: _l("Case worker"),
        Role.SUPERVISOR: _l("Supervisor"),
        Role.AUDITOR: _l("Auditor"),
        Role.ADMIN: _l("Administrator"),
        Role.STEERING: _l("Steering committee"),
    },
)
