"""Labels of referral and consent values."""

from flask_babel import lazy_gettext as _l

from victimcare.labels import register
from victimcare.referrals.models import ConsentGiver, ConsentMethod
from workflows.referral import LegalBasis, Purpose, ReferralKind, ReferralStatus, Urgency

register(
    ReferralStatus,
    {
        ReferralStatus.PENDING: _l("Waiting for an answer"),
        ReferralStatus.ACCEPTED: _l("Accepted"),
        ReferralStatus.DECLINED: _l("Declined"),
        ReferralStatus.WITHDRAWN: _l("Withdrawn"),
        ReferralStatus.EXPIRED: _l("Expired without an answer"),
        ReferralStatus.COMPLETED: _l("Completed"),
    },
)
register(
    ReferralKind,
    {
        ReferralKind.REFERRAL: _l("Referral (we keep the case)"),
        ReferralKind.TRANSFER: _l("Transfer (the receiver takes over the case)"),
    },
)
register(
    Urgency,
    {
        Urgency.URGENT: _l("Urgent"),
        Urgency.NORMAL: _l("Normal"),
    },
)
register(
    Purpose,
    {
        Purpose.VERIFICATION: _l("Verification"),
        Purpose.RESCUE: _l("Rescue"),
        Purpose.PROTECTION: _l("Protection"),
        Purpose.SHELTER: _l("Shelter and essential needs"),
        Purpose.MEDICAL_CARE: _l("Medical care"),
        Purpose.PSYCHOLOGICAL_CARE: _l("Psychological care"),
        Purpose.LEGAL_AID: _l("Legal aid"),
        Purpose.SCHOOLING: _l("Schooling and vocational training"),
        Purpose.LIVELIHOOD: _l("Loans and livelihood"),
        Purpose.REPATRIATION: _l("Repatriation"),
        Purpose.REINTEGRATION: _l("Reintegration follow-up"),
    },
)
register(
    LegalBasis,
    {
        LegalBasis.CONSENT: _l("The person's recorded consent"),
        LegalBasis.CRIMINAL_INVESTIGATION: _l("Legal duty: criminal investigation"),
        LegalBasis.DANGER_TO_LIFE: _l("Legal duty: danger to life or health"),
        LegalBasis.COURT_OR_PROCURACY_REQUEST: _l("Legal duty: request of a court or procuracy"),
    },
)
register(
    ConsentGiver,
    {
        ConsentGiver.PERSON: _l("The person"),
        ConsentGiver.GUARDIAN: _l("The child's guardian"),
    },
)
register(
    ConsentMethod,
    {
        ConsentMethod.SIGNED_FORM: _l("Signed form"),
        ConsentMethod.VERBAL_WITH_WITNESS: _l("Verbal, with a witness"),
    },
)
