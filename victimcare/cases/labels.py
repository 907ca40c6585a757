"""Labels of the coded values of people and cases."""

from datetime import datetime

from flask_babel import lazy_gettext as _l

from victimcare.access import FieldGroup
from victimcare.cases.models import (
    DocumentType,
    Exploitation,
    Gender,
    IntakeChannel,
    LegalHoldReason,
    PersonRole,
)
from victimcare.cases.operations import ErasureReason, SearchKind
from victimcare.labels import register
from workflows.victim_path import ClosureReason, Stage

register(
    Gender,
    {
        Gender.FEMININE: _l("Female"),
        Gender.MASCULINE: _l("Male"),
        Gender.TRANSGENDER_FEMININE: _l("Transgender woman"),
        Gender.TRANSGENDER_MASCULINE: _l("Transgender man"),
        Gender.NON_CONFORMING: _l("Gender non-conforming"),
        Gender.UNKNOWN: _l("Not specified / unknown"),
    },
)
register(
    DocumentType,
    {
        DocumentType.CITIZEN_ID: _l("Citizen identity card"),
        DocumentType.PASSPORT: _l("Passport"),
        DocumentType.BIRTH_CERTIFICATE: _l("Birth certificate"),
        DocumentType.OTHER: _l("Other document"),
    },
)
register(
    ErasureReason,
    {
        ErasureReason.PERSON_REQUEST: _l("The person asked for their data to be erased"),
        ErasureReason.LEGAL_ORDER: _l("A lawful order to erase"),
        ErasureReason.RECORDED_IN_ERROR: _l("Recorded in error"),
        ErasureReason.DUPLICATE_RECORD: _l("Duplicate record"),
    },
)
register(
    LegalHoldReason,
    {
        LegalHoldReason.CRIMINAL_PROCEEDINGS: _l("Criminal investigation, prosecution or trial under way"),
        LegalHoldReason.COURT_ORDER: _l("A court order to keep the record"),
        LegalHoldReason.COMPLAINT_OR_INSPECTION: _l("A complaint, denunciation or inspection pending"),
    },
)
register(
    SearchKind,
    {
        SearchKind.NAME: _l("Full name"),
        SearchKind.NAME_AND_BIRTH: _l("Full name and date of birth"),
        SearchKind.REFERENCE: _l("Case reference"),
        SearchKind.ID_NUMBER: _l("ID document number"),
        SearchKind.PHONE: _l("Phone number"),
    },
)

register(
    Stage,
    {
        Stage.INTAKE: _l("Intake"),
        Stage.VERIFICATION: _l("Verification"),
        Stage.IDENTIFICATION: _l("Identification"),
        Stage.RESCUE: _l("Rescue"),
        Stage.PROTECTION: _l("Protection"),
        Stage.INITIAL_SUPPORT: _l("Initial support"),
        Stage.REINTEGRATION: _l("Reintegration"),
        Stage.CLOSED: _l("Closed"),
        Stage.SUSPENDED: _l("Suspended (lost contact)"),
        Stage.REOPENED: _l("Reopened"),
    },
)
register(
    ClosureReason,
    {
        ClosureReason.REINTEGRATED: _l("Reintegrated"),
        ClosureReason.NOT_CONFIRMED: _l("Not confirmed as a victim"),
        ClosureReason.DECLINED: _l("Declined further help"),
        ClosureReason.TRANSFERRED: _l("Transferred to another province"),
        ClosureReason.DIED: _l("Died"),
    },
)
register(
    Exploitation,
    {
        Exploitation.SEXUAL_EXPLOITATION: _l("Sexual exploitation"),
        Exploitation.FORCED_LABOUR: _l("Forced labour"),
        Exploitation.FORCED_MARRIAGE: _l("Forced marriage"),
        Exploitation.FORCED_ADOPTION: _l("Illegal adoption"),
        Exploitation.SURROGACY: _l("Surrogacy"),
        Exploitation.ORGAN_REMOVAL: _l("Organ removal"),
        Exploitation.CHILD_LABOUR: _l("Child labour"),
        Exploitation.FORCED_BEGGING: _l("Forced begging"),
        Exploitation.SERVITUDE: _l("Servitude"),
        Exploitation.OTHER: _l("Other inhumane purposes"),
    },
)
register(
    IntakeChannel,
    {
        IntakeChannel.HOTLINE_111: _l("Hotline 111 call"),
        IntakeChannel.CRIME_REPORT: _l("Report of a crime"),
        IntakeChannel.BORDER_HANDOVER: _l("Official handover at the border"),
        IntakeChannel.RESCUE: _l("Rescue"),
        IntakeChannel.REPATRIATION: _l("Repatriation"),
        IntakeChannel.SELF_PRESENTED: _l("Came forward / self-returned"),
    },
)
register(
    PersonRole,
    {
        PersonRole.ACCOMPANYING_CHILD: _l("Child under 18 travelling with the victim"),
        PersonRole.RELATIVE_AT_RISK: _l("Relative who needs protection"),
        PersonRole.UNDER_IDENTIFICATION: _l("Person under identification"),
    },
)
register(
    FieldGroup,
    {
        FieldGroup.IDENTITY: _l("Identity"),
        FieldGroup.CONTACT: _l("Contact"),
        FieldGroup.NARRATIVE: _l("Exploitation and narrative"),
        FieldGroup.INVESTIGATION: _l("Investigation"),
        FieldGroup.MEDICAL: _l("Medical"),
        FieldGroup.SUPPORT: _l("Support"),
    },
)

# Values of the facts recorded at transitions (workflows/victim_path.py), by value.
FACT_VALUES = {
    "hotline_111": _l("Hotline 111 call"),
    "crime_report": _l("Report of a crime"),
    "border_handover": _l("Official handover at the border"),
    "rescue": _l("Rescue"),
    "repatriation": _l("Repatriation"),
    "self_presented": _l("Came forward / self-returned"),
    "a": _l("(a) from prosecuting bodies"),
    "b": _l("(b) from the rescuing agency"),
    "c": _l("(c) from a Vietnamese embassy or consulate"),
    "d": _l("(d) from other domestic bodies"),
    "dd": _l("(đ) from foreign authorities"),
    "e": _l("(e) from the person or their relatives"),
    "g": _l("(g) from the trafficker"),
    "h": _l("(h) from other victims or witnesses"),
    "i": _l("(i) other lawful evidence"),
    "victim_confirmation": _l("Victim confirmation document"),
    "certificate_of_return": _l("Certificate of return (Giấy chứng nhận về nước)"),
    "other": _l("Other"),
    "domestic": _l("In Vietnam"),
    "abroad": _l("Abroad"),
    "rescued": _l("Rescued"),
    "not_found": _l("Not found"),
    "person_refused": _l("The person refused"),
    "low": _l("Low"),
    "medium": _l("Medium"),
    "high": _l("High"),
    "measures_applied": _l("Protection measures applied"),
    "refused_with_commitment": _l("Refused, with a written commitment"),
    "not_needed": _l("Not needed"),
    "family": _l("With family"),
    "shelter": _l("In a shelter"),
    "independent": _l("Independently"),
    "in_writing": _l("In writing"),
    "verbally_with_witness": _l("Verbally, with a witness"),
    "new_evidence": _l("New evidence"),
    "re_trafficked": _l("Re-trafficked"),
}


class InvalidFact(ValueError):
    """A stored fact that does not read as its kind (a date out of range, a malformed value)."""


def fact_value(value, kind: str | None = None) -> str:
    """A recorded fact's value as a user reads it; raises InvalidFact when it cannot be read.

    ``kind`` is the fact's kind in the path's table; without it (facts read from records) the value's
    shape decides.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, list):
        return ", ".join(fact_value(v, kind if kind != "multi" else "choice") for v in value)
    if value is True:
        return str(_l("Yes"))
    if value is False:
        return str(_l("No"))
    if not isinstance(value, str | int | float):
        raise InvalidFact(type(value).__name__)
    value = str(value)
    if kind in ("date", "datetime") or (kind is None and _looks_like_date(value)):
        return _moment(value, with_time=kind == "datetime" or (kind is None and "T" in value))
    if kind == "agency":
        return _agency_name(value)
    if kind == "province":
        from victimcare.provinces import province_name

        return province_name(value) or value
    if kind == "country":
        from victimcare.places import country_name

        return country_name(value) or value
    return str(FACT_VALUES.get(value, value))


def _looks_like_date(value: str) -> bool:
    return len(value) >= 10 and value[4] == "-" and value[7] == "-"


def _moment(value: str, *, with_time: bool) -> str:
    from victimcare.i18n import format_day, format_moment

    try:
        moment = datetime.fromisoformat(value)
        return format_moment(moment) if with_time else format_day(moment.date())
    except (ValueError, OverflowError) as error:  # e.g. 9999-12-31T23:59:59-12:00 overflows in local time
        raise InvalidFact(type(error).__name__) from None


def _agency_name(code: str) -> str:
    import sqlalchemy as sa

    from victimcare.accounts.models import Agency
    from victimcare.extensions import db

    name = db.session.scalar(sa.select(Agency.name).where(Agency.code == code))
    return f"{name} ({code})" if name else code
