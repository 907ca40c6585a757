"""What a case page may print: plain values of the readable field groups, and nothing else.

The case page's template receives a ``CaseView``, never the ``Case`` row: a section of a group the
reader may not read is ``None``, so a wrong ``if`` in a template has nothing to leak, and
relationships cannot be walked from the template to the victim's record. ``opened`` names the groups
whose values the view actually holds (a group with nothing recorded is not opened), which is what
the view event records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from victimcare.access import CaseAccess, FieldGroup
from victimcare.cases.models import Case, Victim
from workflows.victim_path import STOPPED_CLOCK, Stage


@dataclass(frozen=True)
class CaseHeader:
    """The case itself, without personal data: what anyone who sees the case is shown."""

    reference: str
    stage: Stage
    stage_deadline: datetime | None
    is_overdue: bool
    visited: tuple[str, ...]
    owning_agency_name: str
    created_at: datetime
    created_by_name: str | None
    assigned_name: str | None
    closure_reason: str | None
    closed_at: datetime | None
    erased_at: datetime | None
    erasure_reason: str | None


@dataclass(frozen=True)
class Identity:
    full_name: str | None
    other_names: str | None
    gender: str
    date_of_birth: date | None
    birth_year: int | None
    is_minor: bool | None
    nationality: str | None
    id_document_type: str | None
    id_number: str | None


@dataclass(frozen=True)
class Contact:
    phone: str | None
    home_address: str | None
    province_code: str | None = None  # coded, shown by name
    commune_code: str | None = None


@dataclass(frozen=True)
class Narrative:
    intake_channel: str | None
    received_at: datetime | None
    exploitation: tuple[str, ...]
    trafficked_abroad: bool | None
    destination_country: str | None
    person_abroad: bool
    text: str | None


@dataclass(frozen=True)
class Investigation:
    notes: str | None


@dataclass(frozen=True)
class PersonLine:
    """Someone around the case (a child, a relative): their name, role and, with contact, phone."""

    full_name: str | None
    erased: bool
    role: str
    birth_year: int | None
    phone: str | None


@dataclass(frozen=True)
class CaseView:
    case: CaseHeader
    identity: Identity | None = None
    contact: Contact | None = None
    narrative: Narrative | None = None
    investigation: Investigation | None = None
    people: tuple[PersonLine, ...] | None = None
    opened: frozenset[FieldGroup] = frozenset()


def header(case: Case) -> CaseHeader:
    victim = case.victim
    return CaseHeader(
        reference=case.reference,
        stage=case.stage,
        stage_deadline=case.stage_deadline,
        is_overdue=case.is_overdue and case.stage not in STOPPED_CLOCK,
        visited=("intake", *(str(event.to_stage) for event in case.events)),
        owning_agency_name=case.owning_agency.name,
        created_at=case.created_at,
        created_by_name=case.created_by.display_name if case.created_by else None,
        assigned_name=case.assigned_user.display_name if case.assigned_user else None,
        closure_reason=case.closure_reason,
        closed_at=case.closed_at,
        erased_at=victim.erased_at,
        erasure_reason=victim.erasure_reason,
    )


def build(case: Case, access: CaseAccess) -> CaseView:
    """Open the values of the groups ``access`` reads, and only those."""
    victim = case.victim
    groups = access.groups
    identity = _identity(victim) if FieldGroup.IDENTITY in groups else None
    contact = (
        Contact(victim.phone, victim.home_address, victim.province_code, victim.commune_code)
        if FieldGroup.CONTACT in groups
        else None
    )
    narrative = _narrative(case) if FieldGroup.NARRATIVE in groups else None
    investigation = Investigation(case.investigation_notes) if FieldGroup.INVESTIGATION in groups else None
    people = _people(case, FieldGroup.CONTACT in groups) if identity is not None else None
    holding = {
        FieldGroup.IDENTITY: identity is not None,  # sex and year of birth are always there to show
        FieldGroup.CONTACT: contact is not None and bool(contact.phone or contact.home_address),
        FieldGroup.NARRATIVE: narrative is not None,  # the coded facts of the intake are always there
        FieldGroup.INVESTIGATION: investigation is not None and bool(investigation.notes),
    }
    if people and any(p.phone for p in people):
        holding[FieldGroup.CONTACT] = True
    return CaseView(
        case=header(case),
        identity=identity,
        contact=contact,
        narrative=narrative,
        investigation=investigation,
        people=people,
        opened=frozenset(group for group, held in holding.items() if held),
    )


def preview(case: Case, groups: frozenset[FieldGroup]) -> CaseView:
    """What someone else will see of ``case``: ``groups`` must already be cut to what the sender reads."""
    return build(case, CaseAccess(visible=True, groups=frozenset(groups)))


def _identity(victim: Victim) -> Identity:
    return Identity(
        full_name=victim.full_name,
        other_names=victim.other_names,
        gender=victim.gender,
        date_of_birth=victim.date_of_birth,
        birth_year=victim.birth_year,
        is_minor=victim.is_minor,
        nationality=victim.nationality,
        id_document_type=victim.id_document_type,
        id_number=victim.id_number,
    )


def _narrative(case: Case) -> Narrative:
    return Narrative(
        intake_channel=case.intake_channel,
        received_at=case.received_at,
        exploitation=tuple(case.exploitation or ()),
        trafficked_abroad=case.trafficked_abroad,
        destination_country=case.destination_country,
        person_abroad=case.person_abroad,
        text=case.narrative,
    )


def _people(case: Case, with_contact: bool) -> tuple[PersonLine, ...]:
    return tuple(
        PersonLine(
            full_name=p.person.full_name,
            erased=p.person.erased_at is not None,
            role=p.role,
            birth_year=p.person.birth_year,
            phone=p.person.phone if with_contact else None,
        )
        for p in case.people
    )
