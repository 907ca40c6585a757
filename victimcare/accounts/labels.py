"""Labels of agency kinds and roles."""

from flask_babel import lazy_gettext as _l

from victimcare.accounts.models import AgencyKind, Role
from victimcare.labels import label, register

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

# A case worker's title follows where they work: at a health station they are health workers, in
# social affairs, a commune or the Women's Union social workers (cán bộ xã hội); elsewhere the
# role's own name. Only the words change: the role and what it may do are the same everywhere.
CASE_WORKER_TITLES = {
    AgencyKind.HEALTH: _l("Health worker"),
    AgencyKind.SOCIAL_AFFAIRS: _l("Social worker"),
    AgencyKind.COMMUNE: _l("Social worker"),
    AgencyKind.WOMENS_UNION: _l("Social worker"),
}


def role_label(role: Role | str, agency_kind: AgencyKind | str | None = None) -> str:
    """The role as people at that kind of agency call it."""
    role = Role(role)
    if role == Role.CASE_WORKER and agency_kind is not None and AgencyKind(agency_kind) in CASE_WORKER_TITLES:
        return str(CASE_WORKER_TITLES[AgencyKind(agency_kind)])
    return label(role)


def user_role_label(user) -> str:
    """``{{ user|role_of }}``: a user's role in the words of their agency."""
    return role_label(user.role, user.agency.kind if user.agency is not None else None)
