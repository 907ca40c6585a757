"""The words the whole project shares: kinds of agency, roles, field groups, audit actions and object types.

One definition for the models, ``access``, the pure ``workflows`` and the confidentiality log, so a
kind of agency or a field group is never spelled as a string that may drift (a typo in a string
silently matches nothing; a typo in an enum fails at import). Pure Python that imports nothing of
the project, so ``workflows`` may use it without depending on ``victimcare``.

The values are what is stored (agency and user rows, referral rows, audit events): never change one.
"""

from __future__ import annotations

from enum import StrEnum


class AgencyKind(StrEnum):
    """Kinds of agency that take part in a victim's path (DOMAIN.md §1)."""

    POLICE = "police"
    BORDER_GUARD = "border_guard"
    SOCIAL_AFFAIRS = "social_affairs"
    HEALTH = "health"
    JUSTICE = "justice"
    WOMENS_UNION = "womens_union"
    FOREIGN_AFFAIRS = "foreign_affairs"
    PROCURACY = "procuracy"
    COMMUNE = "commune"


class Role(StrEnum):
    OFFICER = "officer"
    CASE_WORKER = "case_worker"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    ADMIN = "admin"
    STEERING = "steering"  # the provincial steering committee (Ban Chỉ đạo): statistics and nothing else


class FieldGroup(StrEnum):
    """Parts of a case shown or hidden together (DESIGN.md §5)."""

    IDENTITY = "identity"
    CONTACT = "contact"
    NARRATIVE = "narrative"
    INVESTIGATION = "investigation"
    MEDICAL = "medical"
    SUPPORT = "support"


class AuditAction(StrEnum):
    """What an event of the confidentiality log records (DESIGN.md §7)."""

    VIEW = "view"
    SEARCH = "search"
    CREATE = "create"
    UPDATE = "update"
    TRANSITION = "transition"
    ERASE = "erase"
    BREAK_GLASS = "break_glass"
    LEGAL_HOLD = "legal_hold"
    DENIED = "denied"
    EXPORT = "export"
    LOGIN = "login"
    LOGIN_PASSWORD = "login_password"  # a right password, waiting for the second factor's code
    LOGIN_FAILED = "login_failed"
    LOCKOUT = "lockout"
    LOGOUT = "logout"
    STEP_UP = "step_up"  # confirming who one is again before a dangerous act
    USER_CHANGE = "user_change"
    AGENCY_CHANGE = "agency_change"
    KEY_ROTATE = "key_rotate"
    CONSENT = "consent"
    ASSIGN = "assign"  # a case given to a worker (taken, assigned, or on accepting a transfer)
    # A referral's steps; the last five are the triggers of ``workflows.referral``, same values.
    REFER = "refer"
    ACCEPT = "accept"
    DECLINE = "decline"
    WITHDRAW = "withdraw"
    COMPLETE = "complete"
    EXPIRE = "expire"
    APPROVAL_REQUEST = "approval_request"
    APPROVAL_DECISION = "approval_decision"
    APPROVE = "approve"  # a period's figures
    REVIEW = "review"  # a supervisor or auditor marked flagged events of the log reviewed


class ObjectType(StrEnum):
    """What an audit event is about."""

    CASE = "case"
    CASE_LIST = "case_list"
    VICTIM = "victim"
    CASE_PERSON = "case_person"  # a person around a case (accompanying child, relative, …)
    STAGE_EVENT = "stage_event"
    INTAKE_CHECK = "intake_check"
    IMPORT = "import"
    CONSENT = "consent"
    BREAK_GLASS_GRANT = "break_glass_grant"
    REFERRAL = "referral"
    SUPPORT_SERVICE = "support_service"
    LODGING_EXTENSION = "lodging_extension"
    RISK_ASSESSMENT = "risk_assessment"
    PROTECTION_MEASURE = "protection_measure"
    REINTEGRATION_PLAN = "reintegration_plan"
    FOLLOW_UP = "follow_up"
    USER = "user"
    AGENCY = "agency"
    # What a two-person approval is about (``approvals.ApprovalKind``, same values).
    ROLE_GRANT = "role_grant"
    AGENCY_CHANGE = "agency_change"
    ERASURE = "erasure"
    REPORT = "report"
    AUDIT_LOG = "audit_log"
    AUDIT_EVENT = "audit_event"  # events of the log, as a review names them

    @classmethod
    def read(cls, stored: str | None) -> ObjectType | str | None:
        """The type of a stored event, old spellings included; an unknown one is returned as stored.

        Events are never rewritten (the log is append-only and hash-chained), so a spelling retired
        from the enum is mapped here when the log is read.
        """
        if stored is None:
            return None
        stored = _RETIRED_OBJECT_TYPES.get(stored, stored)
        return cls(stored) if stored in cls._value2member_map_ else stored


# Spellings written by earlier versions, and what they mean now.
_RETIRED_OBJECT_TYPES = {
    "case_people": ObjectType.CASE_PERSON,  # the support form's person picker, before it was merged
}
