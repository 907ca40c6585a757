"""Labels of support, protection and reintegration values, and the protection banner's warnings."""

from flask_babel import lazy_gettext as _l

from victimcare.labels import register
from victimcare.support.models import AtRisk, FollowUpOutcome, Measure, RiskLevel
from workflows.support import Beneficiary, Due, ServiceStatus, SupportType

register(
    SupportType,
    {
        SupportType.ESSENTIAL_NEEDS: _l("(a) Essential needs: lodging, food, daily items"),
        SupportType.MEDICAL: _l("(b) Medical care"),
        SupportType.INTERPRETATION: _l("(c) Interpretation"),
        SupportType.LEGAL_COUNSELLING: _l("(d) Legal counselling"),
        SupportType.LEGAL_AID: _l("(đ) Free legal aid"),
        SupportType.TRAVEL_HOME: _l("(e) Travel costs home"),
        SupportType.PSYCHOLOGICAL: _l("(g) Psychological support"),
        SupportType.SCHOOLING: _l("(h) General schooling"),
        SupportType.VOCATIONAL: _l("(i) Vocational training and job placement"),
        SupportType.HARDSHIP: _l("(k) Initial hardship allowance and loans"),
    },
)
register(
    Beneficiary,
    {
        Beneficiary.VICTIM: _l("Victim"),
        Beneficiary.ACCOMPANYING_CHILD: _l("Child accompanying the victim"),
        Beneficiary.UNDER_IDENTIFICATION_ABROAD: _l("Person under identification, abroad"),
        Beneficiary.UNDER_IDENTIFICATION_VN: _l("Person under identification, in Vietnam"),
        Beneficiary.FOREIGN_VICTIM: _l("Foreign victim"),
        Beneficiary.RELATIVE: _l("Relative at risk"),
    },
)
register(
    ServiceStatus,
    {
        ServiceStatus.PLANNED: _l("Planned"),
        ServiceStatus.IN_PROGRESS: _l("In progress"),
        ServiceStatus.DELIVERED: _l("Delivered"),
        ServiceStatus.REFUSED: _l("Refused by the person"),
        ServiceStatus.STOPPED: _l("Stopped"),
        ServiceStatus.NOT_NEEDED: _l("Considered, not needed"),
    },
)
register(
    Due,
    {
        Due.MET: _l("On time"),
        Due.PENDING: _l("Due"),
        Due.DUE_SOON: _l("Due soon"),
        Due.OVERDUE: _l("Overdue"),
    },
)
register(
    RiskLevel,
    {
        RiskLevel.LOW: _l("Low"),
        RiskLevel.MEDIUM: _l("Medium"),
        RiskLevel.HIGH: _l("High"),
    },
)
register(
    AtRisk,
    {
        AtRisk.PERSON: _l("The person"),
        AtRisk.RELATIVES: _l("Relatives"),
    },
)
register(
    Measure,
    {
        Measure.SAFE_SHELTER: _l("Safe temporary shelter with information security"),
        Measure.IDENTITY_SECRECY: _l("Keep the person's identity secret"),
        Measure.ADDRESS_SECRECY: _l("Keep home, work and school addresses secret"),
        Measure.PROTECTIVE_FORCE: _l("Protective forces at home, work, school or on journeys"),
        Measure.THREAT_DETECTION: _l("Early detection of threats"),
        Measure.POLICE_ARMY_ASSISTANCE: _l("Help from the police or the army"),
    },
)
register(
    FollowUpOutcome,
    {
        FollowUpOutcome.ON_TRACK: _l("Settling in as planned"),
        FollowUpOutcome.NEEDS_SUPPORT: _l("Needs more support"),
        FollowUpOutcome.NOT_REACHED: _l("Could not be reached"),
        FollowUpOutcome.RE_TRAFFICKED: _l("Trafficked again"),
    },
)

# What everyone who can see the case must do while a measure is in force: no personal data here.
WARNINGS = {
    Measure.SAFE_SHELTER: _l("The person is in a safe shelter: never disclose where."),
    Measure.IDENTITY_SECRECY: _l("The person's identity must be kept secret."),
    Measure.ADDRESS_SECRECY: _l("Addresses must not be disclosed (home, work, school)."),
    Measure.PROTECTIVE_FORCE: _l(
        "Protective forces are assigned: arrange any visit with the deciding agency."
    ),
    Measure.THREAT_DETECTION: _l(
        "Threats are being watched: report any attempt to contact the person at once."
    ),
    Measure.POLICE_ARMY_ASSISTANCE: _l("Police or army help has been requested for this person's safety."),
}


def warning(measure: str) -> str:
    return str(WARNINGS[Measure(measure)])


# The reintegration plan's goals, in the order the plan form asks them.
GOAL_LABELS = {
    "housing": _l("Housing"),
    "schooling": _l("Schooling"),
    "work": _l("Work and income"),
    "health": _l("Health"),
    "family": _l("Family"),
    "legal_status": _l("Legal status and papers"),
}
