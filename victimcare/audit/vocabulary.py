"""The coded words of the confidentiality log: what an event's action, object, purpose, outcome and
field names may be, and the flags a reviewer sees.

Events store these codes (they are hashed into the chain, so they never change); the page and the
CSV show their labels (``victimcare.audit.labels``). Values already coded elsewhere — field groups,
referral purposes, erasure and legal-hold reasons, roles, approval kinds and outcomes — keep their
own enums and labels and are not repeated here. ``tests/audit/test_labels.py`` checks that every
code written anywhere in ``victimcare`` is one of these.
"""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    VIEW = "view"
    SEARCH = "search"
    CREATE = "create"
    UPDATE = "update"
    TRANSITION = "transition"
    ERASE = "erase"
    BREAK_GLASS = "break_glass"
    DENIED = "denied"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOCKOUT = "lockout"
    LOGOUT = "logout"
    MFA = "mfa"
    USER_CHANGE = "user_change"
    AGENCY_CHANGE = "agency_change"
    KEY_ROTATE = "key_rotate"
    REFER = "refer"
    ACCEPT = "accept"
    DECLINE = "decline"
    WITHDRAW = "withdraw"
    COMPLETE = "complete"
    EXPIRE = "expire"
    CONSENT = "consent"
    APPROVAL_REQUEST = "approval_request"
    APPROVAL_DECISION = "approval_decision"
    LEGAL_HOLD = "legal_hold"
    APPROVE = "approve"
    EXPORT = "export"
    REVIEW = "review"


class ObjectType(StrEnum):
    CASE = "case"
    CASE_LIST = "case_list"
    CASE_PEOPLE = "case_people"
    CASE_PERSON = "case_person"
    VICTIM = "victim"
    STAGE_EVENT = "stage_event"
    INTAKE_CHECK = "intake_check"
    IMPORT = "import"
    CONSENT = "consent"
    REFERRAL = "referral"
    BREAK_GLASS_GRANT = "break_glass_grant"
    SUPPORT_SERVICE = "support_service"
    LODGING_EXTENSION = "lodging_extension"
    RISK_ASSESSMENT = "risk_assessment"
    PROTECTION_MEASURE = "protection_measure"
    REINTEGRATION_PLAN = "reintegration_plan"
    FOLLOW_UP = "follow_up"
    REPORT = "report"
    USER = "user"
    AGENCY = "agency"
    AUDIT_LOG = "audit_log"
    AUDIT_EVENT = "audit_event"
    # Approval requests name their kind as the object (victimcare.approvals.models.ApprovalKind).
    ROLE_GRANT = "role_grant"
    AGENCY_KIND_CHANGE = "agency_change"
    ERASURE = "erasure"


class EventPurpose(StrEnum):
    """Purposes of the log's own (besides referral purposes, erasure and legal-hold reasons)."""

    EDIT = "edit"
    HISTORY = "history"
    CONSENT = "consent"
    BREAK_GLASS = "break_glass"
    EMERGENCY = "emergency"
    REFERRAL_PREVIEW = "referral_preview"
    TRANSFER = "transfer"
    REVIEW = "review"
    CLI = "cli"


class EventOutcome(StrEnum):
    OK = "ok"
    REFUSED = "refused"
    LOCKED = "locked"
    APPROVED = "approved"
    WITHDRAWN = "withdrawn"


class EventField(StrEnum):
    """Names an event may list besides the field groups (``access.FieldGroup``)."""

    PROTECTION = "protection"
    OWNING_AGENCY = "owning_agency"
    BREAK_GLASS_REASON = "break_glass_reason"
    REFERRAL_MESSAGE = "referral_message"
    REFERRAL_DECLINE_REASON = "referral_decline_reason"


class Change(StrEnum):
    """What an account, agency or legal-hold event changed (``detail["change"]``)."""

    CREATED = "created"
    UPDATED = "updated"
    ACCESS = "access"
    ACTIVATED = "activated"
    DEACTIVATED = "deactivated"
    PASSWORD_RESET = "password_reset"
    SET = "set"
    LIFTED = "lifted"


class Flag(StrEnum):
    """Why an event deserves a reviewer's look (``victimcare.audit.review.flags``)."""

    BREAK_GLASS = "break_glass"
    AFTER_HOURS = "after_hours"
    OTHER_AGENCY = "other_agency"
    DENIED = "denied"
    BULK_VIEWING = "bulk_viewing"
    NO_FOLLOW_UP = "no_follow_up"
    MANY_INTAKE_CHECKS = "many_intake_checks"
    LEGAL_BASIS = "legal_basis"
    ROLE_GRANT = "role_grant"
    AGENCY_CHANGE = "agency_change"
    PASSWORD_RESET = "password_reset"


class CheckedIdentifier(StrEnum):
    """What an intake check compared (besides ``cases.operations.SearchKind``)."""

    ID_NUMBER = "id_number"
    PHONE = "phone"
    NAME_BIRTH_YEAR = "name_birth_year"
