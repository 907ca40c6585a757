"""Labels of the confidentiality log's codes (``vocabulary.AuditAction`` and ``ObjectType``, and
``victimcare.audit.vocabulary``), and ``code_label``, which
finds the label of a code that may belong to one of several enums (a purpose is a referral purpose, an
erasure reason, a legal-hold reason or one of the log's own)."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from victimcare.audit.vocabulary import (
    Change,
    CheckedIdentifier,
    EventField,
    EventOutcome,
    EventPurpose,
    Flag,
)
from victimcare.labels import label, register
from vocabulary import AuditAction, ObjectType

register(
    AuditAction,
    {
        AuditAction.VIEW: _l("Viewed"),
        AuditAction.SEARCH: _l("Searched"),
        AuditAction.CREATE: _l("Created"),
        AuditAction.UPDATE: _l("Changed"),
        AuditAction.TRANSITION: _l("Took a step"),
        AuditAction.ERASE: _l("Erased personal data"),
        AuditAction.BREAK_GLASS: _l("Emergency access"),
        AuditAction.DENIED: _l("Refused"),
        AuditAction.LOGIN: _l("Logged in"),
        AuditAction.LOGIN_FAILED: _l("Failed login"),
        AuditAction.LOCKOUT: _l("Account locked after failed logins"),
        AuditAction.LOGOUT: _l("Logged out"),
        AuditAction.USER_CHANGE: _l("Account changed"),
        AuditAction.AGENCY_CHANGE: _l("Agency changed"),
        AuditAction.KEY_ROTATE: _l("Encryption keys rotated or retired"),
        AuditAction.REFER: _l("Sent a referral"),
        AuditAction.ACCEPT: _l("Accepted a referral"),
        AuditAction.DECLINE: _l("Declined a referral"),
        AuditAction.WITHDRAW: _l("Withdrew a referral"),
        AuditAction.COMPLETE: _l("Completed a referral"),
        AuditAction.EXPIRE: _l("Referral expired"),
        AuditAction.CONSENT: _l("Consent recorded or withdrawn"),
        AuditAction.APPROVAL_REQUEST: _l("Asked for approval"),
        AuditAction.APPROVAL_DECISION: _l("Decided an approval"),
        AuditAction.LEGAL_HOLD: _l("Legal hold"),
        AuditAction.APPROVE: _l("Approved report figures"),
        AuditAction.EXPORT: _l("Exported"),
        AuditAction.REVIEW: _l("Reviewed flagged events"),
        AuditAction.ASSIGN: _l("Assigned a case"),
        AuditAction.LOGIN_PASSWORD: _l("Password accepted, waiting for the second step"),
        AuditAction.STEP_UP: _l("Confirmed who they are before a sensitive act"),
    },
)
register(
    ObjectType,
    {
        ObjectType.CASE: _l("Case"),
        ObjectType.CASE_LIST: _l("List of cases"),
        ObjectType.CASE_PERSON: _l("Person on the case"),
        ObjectType.VICTIM: _l("Person"),
        ObjectType.STAGE_EVENT: _l("Case history"),
        ObjectType.INTAKE_CHECK: _l("Check for an existing case at intake"),
        ObjectType.IMPORT: _l("Import of cases"),
        ObjectType.CONSENT: _l("Consent"),
        ObjectType.REFERRAL: _l("Referral"),
        ObjectType.BREAK_GLASS_GRANT: _l("Reason for an emergency access"),
        ObjectType.SUPPORT_SERVICE: _l("Support service"),
        ObjectType.LODGING_EXTENSION: _l("Extension of lodging"),
        ObjectType.RISK_ASSESSMENT: _l("Risk assessment"),
        ObjectType.PROTECTION_MEASURE: _l("Protection measure"),
        ObjectType.REINTEGRATION_PLAN: _l("Reintegration plan"),
        ObjectType.FOLLOW_UP: _l("Follow-up visit"),
        ObjectType.REPORT: _l("Statistical report"),
        ObjectType.USER: _l("User account"),
        ObjectType.AGENCY: _l("Agency"),
        ObjectType.AUDIT_LOG: _l("Confidentiality log"),
        ObjectType.AUDIT_EVENT: _l("Event of the confidentiality log"),
        ObjectType.ROLE_GRANT: _l("Role grant"),
        ObjectType.AGENCY_CHANGE: _l("Change of an agency's kind or province"),
        ObjectType.ERASURE: _l("Erasure of a person's data"),
    },
)
register(
    EventPurpose,
    {
        EventPurpose.EDIT: _l("to edit"),
        EventPurpose.HISTORY: _l("the case history"),
        EventPurpose.CONSENT: _l("consents"),
        EventPurpose.BREAK_GLASS: _l("under emergency access"),
        EventPurpose.EMERGENCY: _l("emergency"),
        EventPurpose.REFERRAL_PREVIEW: _l("preview of a referral"),
        EventPurpose.TRANSFER: _l("transfer of the case"),
        EventPurpose.REVIEW: _l("review of the log"),
        EventPurpose.CLI: _l("from the command line"),
    },
)
register(
    EventOutcome,
    {
        EventOutcome.OK: _l("Done"),
        EventOutcome.REFUSED: _l("Refused"),
        EventOutcome.LOCKED: _l("Refused: account locked"),
        EventOutcome.APPROVED: _l("Approved"),
        EventOutcome.WITHDRAWN: _l("Withdrawn"),
    },
)
register(
    EventField,
    {
        EventField.PROTECTION: _l("Protection"),
        EventField.OWNING_AGENCY: _l("Owning agency"),
        EventField.BREAK_GLASS_REASON: _l("Reason for the emergency access"),
        EventField.REFERRAL_MESSAGE: _l("Message of the referral"),
        EventField.REFERRAL_DECLINE_REASON: _l("Reason the referral was declined"),
    },
)
register(
    Change,
    {
        Change.CREATED: _l("created"),
        Change.UPDATED: _l("details changed"),
        Change.ACCESS: _l("agency or role changed"),
        Change.ACTIVATED: _l("activated"),
        Change.DEACTIVATED: _l("deactivated"),
        Change.PASSWORD_RESET: _l("password reset by an administrator"),
        Change.SECOND_FACTOR_RESET: _l("two-step login reset by an administrator"),
        Change.SET: _l("set"),
        Change.LIFTED: _l("lifted"),
    },
)
register(
    CheckedIdentifier,
    {
        CheckedIdentifier.ID_NUMBER: _l("ID document number"),
        CheckedIdentifier.PHONE: _l("Phone number"),
        CheckedIdentifier.NAME_BIRTH_YEAR: _l("Full name and year of birth"),
    },
)
register(
    Flag,
    {
        Flag.BREAK_GLASS: _l("emergency access"),
        Flag.AFTER_HOURS: _l("after hours"),
        Flag.OTHER_AGENCY: _l("another agency’s case"),
        Flag.DENIED: _l("refused"),
        Flag.BULK_VIEWING: _l("many cases in a short time"),
        Flag.NO_FOLLOW_UP: _l("search with no follow-up"),
        Flag.MANY_INTAKE_CHECKS: _l("many intake checks in a short time"),
        Flag.LEGAL_BASIS: _l("shared without consent"),
        Flag.ROLE_GRANT: _l("role grant"),
        Flag.AGENCY_CHANGE: _l("agency change"),
        Flag.PASSWORD_RESET: _l("password reset by an administrator"),
        Flag.SECOND_FACTOR_RESET: _l("two-step login reset by an administrator"),
    },
)


def code_label(code: str | None, *enums: type[StrEnum]) -> str:
    """The label of ``code`` in the first of ``enums`` that has it; an unknown code is shown as it is
    (a reviewer must see every event, even one written by a newer version)."""
    if not code:
        return ""
    for enum_cls in enums:
        try:
            return label(enum_cls(code))
        except ValueError:
            continue
    return code
