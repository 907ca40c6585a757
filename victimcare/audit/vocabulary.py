"""The log's own coded words, besides the project's vocabulary (``vocabulary.AuditAction``,
``ObjectType``, ``FieldGroup``, ``Role``): purposes, outcomes, field names, changes and the flags a
reviewer sees.

Events store these codes (they are hashed into the chain, so they never change); the page and the
CSV show their labels (``victimcare.audit.labels``). Values coded elsewhere — referral purposes,
erasure and legal-hold reasons, approval kinds and outcomes — keep their own enums and labels.
``tests/audit/test_labels.py`` checks that every purpose written anywhere in ``victimcare`` is known.
"""

from __future__ import annotations

from enum import StrEnum


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
    SECOND_FACTOR_RESET = "second_factor_reset"
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
    SECOND_FACTOR_RESET = "second_factor_reset"


class CheckedIdentifier(StrEnum):
    """What an intake check compared (besides ``cases.operations.SearchKind``)."""

    ID_NUMBER = "id_number"
    PHONE = "phone"
    NAME_BIRTH_YEAR = "name_birth_year"
