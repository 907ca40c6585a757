"""Case use cases: intake, duplicate detection, search and erasure.

Functions change state and flush; the request or CLI command commits once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite

from victimcare import access, crypto
from victimcare.accounts.models import Agency, User
from victimcare.audit import operations as audit
from victimcare.cases.models import Case, CasePerson, CaseReferenceCounter, DocumentType, Victim
from victimcare.crypto import normalise
from victimcare.crypto.fields import forget_plaintext
from victimcare.database import utcnow
from victimcare.extensions import db
from vocabulary import AuditAction, FieldGroup, ObjectType
from workflows.victim_path import Stage


class SearchKind(StrEnum):
    NAME = "name"
    NAME_AND_BIRTH = "name_and_birth"
    REFERENCE = "reference"
    ID_NUMBER = "id_number"
    PHONE = "phone"


_REFERENCE = re.compile(r"^(?:vc)?[\s-]*(?:(\d{4})[\s-]+)?0*(\d{1,9})$", re.IGNORECASE)


class ErasureReason(StrEnum):
    PERSON_REQUEST = "person_request"
    LEGAL_ORDER = "legal_order"
    RECORDED_IN_ERROR = "recorded_in_error"
    DUPLICATE_RECORD = "duplicate_record"


PERSONAL_FIELDS = (
    "full_name",
    "other_names",
    "id_number",
    "phone",
    "home_address",
    "guardian",
    "relatives",
)
CODED_FIELDS = (
    "gender",
    "nationality",
    "is_ethnic_minority",
    "id_document_type",
    "province_code",
    "commune_code",
)


def allocate_references(count: int = 1, year: int | None = None) -> list[str]:
    """Reserve ``count`` consecutive references atomically (safe across workers)."""
    year = year or utcnow().year
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(CaseReferenceCounter)
        .values(year=year, last_number=count)
        .on_conflict_do_update(
            index_elements=[CaseReferenceCounter.year],
            set_={"last_number": CaseReferenceCounter.last_number + count},
        )
        .returning(CaseReferenceCounter.last_number)
    )
    last = db.session.execute(statement).scalar_one()
    return [f"VC-{year}-{n:06d}" for n in range(last - count + 1, last + 1)]


def new_victim(data: dict) -> Victim:
    """A Victim from validated form or import data (personal fields are sealed at flush)."""
    victim = Victim()
    for name in PERSONAL_FIELDS + CODED_FIELDS:
        if name in data and data[name] not in (None, ""):
            setattr(victim, name, data[name])
    victim.set_birth(data.get("date_of_birth"), data.get("birth_year"))
    return victim


def open_case(
    *,
    victim: Victim,
    agency: Agency,
    created_by: User | None,
    reference: str | None = None,
    facts: dict | None = None,
) -> Case:
    """Open a case at intake; its first deadline (notify social affairs) starts now."""
    from victimcare.cases.path import start_stage

    db.session.add(victim)  # a new person, or one already known: the case is theirs either way
    case = Case(
        reference=reference or allocate_references()[0],
        victim=victim,
        owning_agency=agency,
        created_by=created_by,
        assigned_user=created_by,
    )
    for name, value in (facts or {}).items():
        setattr(case, name, value)
    start_stage(case, Stage.INTAKE)
    db.session.add(case)
    db.session.flush()
    audit.record(
        AuditAction.CREATE,
        actor=created_by,
        object_type=ObjectType.CASE,
        object_id=case.id,
        case=case,
        fields=[FieldGroup.IDENTITY, FieldGroup.CONTACT, FieldGroup.NARRATIVE],
        ciphertext=victim.full_name_sealed,
    )
    return case


def _candidates(condition) -> list[Victim]:
    victims = (
        db.session.scalars(sa.select(Victim).where(condition, Victim.erased_at.is_(None))).unique().all()
    )
    crypto.vault().preload(db.session, [v.id for v in victims])
    return victims


def _born_matches(victim: Victim, born: date) -> bool:
    """Same date of birth; a person whose day is unknown matches on the year alone."""
    return victim.date_of_birth == born if victim.date_of_birth else victim.birth_year == born.year


def _by_name_and_birth(term: str, born: date | None) -> list[Victim]:
    """Whole name and date of birth through the name-and-birth-year blind index (the duplicate check's):
    only the people of one bucket are decrypted, never the whole table."""
    key = normalise.duplicate_key(term, born.year if born else None)
    if not key:
        return []
    tokens = normalise.name_tokens(term)
    candidates = _candidates(Victim.bi_dup_key == crypto.vault().bucket("dup_key", key))
    return [v for v in candidates if normalise.name_tokens(v.full_name) == tokens and _born_matches(v, born)]


def search_victims(kind: SearchKind | str, term: str, born: date | None = None) -> list[Victim]:
    """People whose field equals ``term`` after normalisation: bucket lookup, then decrypt and compare."""
    vault = crypto.vault()
    kind = SearchKind(kind)
    if kind is SearchKind.NAME_AND_BIRTH:
        return _by_name_and_birth(term, born)
    if kind is SearchKind.NAME:
        tokens = normalise.name_tokens(term)
        if not tokens:
            return []
        condition = sa.or_(
            Victim.bi_name_folded == vault.bucket("name_folded", normalise.fold_name(term)),
            Victim.bi_name_tokens == vault.bucket("name_tokens", tokens),
        )
        return [v for v in _candidates(condition) if normalise.name_tokens(v.full_name) == tokens]
    if kind is SearchKind.ID_NUMBER:
        wanted = {normalise.id_number(t.value, term) for t in DocumentType} | {
            normalise.id_number(None, term)
        }
        wanted.discard("")
        if not wanted:
            return []
        buckets = {vault.bucket("id_number", w) for w in wanted}
        return [
            v for v in _candidates(Victim.bi_id_number.in_(buckets)) if v.normalised_id_number() in wanted
        ]
    number = normalise.phone(term)
    if not number:
        return []
    matches = _candidates(Victim.bi_phone == vault.bucket("phone", number))
    return [v for v in matches if normalise.phone(v.phone) == number]


def reference_condition(term: str):
    """Cases a typed reference names: "VC-2026-000042", "2026-000042" or "2026-42" one case; "42" the
    42nd case of any year. None when the text is no reference."""
    match = _REFERENCE.match(term.strip())
    if match is None:
        return None
    year, number = match.groups()
    if year:
        return Case.reference == f"VC-{year}-{int(number):06d}"
    return Case.reference.like(f"VC-____-{int(number):06d}")


def search_cases(
    user: User | None, kind: SearchKind | str, term: str, born: date | None = None
) -> list[Case]:
    """Cases of the people found (or of the reference typed), limited to those ``user`` may see (None:
    an operator at the CLI). ``born``: the date of birth of a name-and-birth search."""
    if SearchKind(kind) is SearchKind.REFERENCE:
        condition = reference_condition(term)
        if condition is None:
            return []
        query = sa.select(Case).where(condition)
    else:
        victims = search_victims(kind, term, born)
        if not victims:
            return []
        query = sa.select(Case).where(Case.victim_id.in_([v.id for v in victims]))
    if user is not None:
        query = query.where(access.visible_cases(user))
    return db.session.scalars(query.order_by(Case.created_at.desc())).unique().all()


@dataclass(frozen=True)
class PossibleDuplicate:
    case: Case
    matched_on: str  # "id_number", "phone" or "name_birth_year"


def find_possible_duplicates(victim: Victim) -> list[PossibleDuplicate]:
    """Existing cases of someone with the same ID number, phone, or name and birth year.

    A match may mean re-trafficking: the intake officer is warned before saving.
    """
    vault = crypto.vault()
    checks = []
    if victim.id_number:
        checks.append(
            (
                "id_number",
                Victim.bi_id_number == vault.bucket("id_number", victim.normalised_id_number()),
                lambda v: v.normalised_id_number() == victim.normalised_id_number(),
            )
        )
    if normalise.phone(victim.phone):
        wanted = normalise.phone(victim.phone)
        checks.append(
            (
                "phone",
                Victim.bi_phone == vault.bucket("phone", wanted),
                lambda v: normalise.phone(v.phone) == wanted,
            )
        )
    key = normalise.duplicate_key(victim.full_name, victim.birth_year)
    if key:
        checks.append(
            (
                "name_birth_year",
                Victim.bi_dup_key == vault.bucket("dup_key", key),
                lambda v: normalise.duplicate_key(v.full_name, v.birth_year) == key,
            )
        )
    found: dict = {}
    for label, condition, same in checks:
        for other in _candidates(condition):
            if other is not victim and same(other):
                for case in other.cases:
                    found.setdefault(case.id, PossibleDuplicate(case, label))
    return list(found.values())


@dataclass(frozen=True)
class IntakeCheck:
    """The re-trafficking warning at intake, cut to what the person asking may know."""

    visible: list[PossibleDuplicate]  # matches in cases the user may open: named and linked
    elsewhere: bool  # a match in a case the user may not open: said, never who holds it

    @property
    def warns(self) -> bool:
        return bool(self.visible) or self.elsewhere


def check_intake(victim: Victim, user: User) -> IntakeCheck:
    """Ask whether the person being received may already have a case, as an audited search.

    The answer is a question about someone, so it is logged like any search (the identifiers
    compared and the number of matches, never their values), and a match outside the user's
    need-to-know is reported without its case, agency or the identifier that matched.
    """
    found = find_possible_duplicates(victim)
    visible = [d for d in found if access.for_case(user, d.case).visible]
    compared = [
        kind
        for kind, present in (
            ("id_number", victim.id_number),
            ("phone", normalise.phone(victim.phone)),
            ("name_birth_year", normalise.duplicate_key(victim.full_name, victim.birth_year)),
        )
        if present
    ]
    audit.record(
        AuditAction.SEARCH,
        actor=user,
        object_type=ObjectType.INTAKE_CHECK,
        detail={"index": compared, "results": len(found), "outside_view": len(found) - len(visible)},
    )
    return IntakeCheck(visible=visible, elsewhere=len(visible) < len(found))


class OtherPersonChoice(StrEnum):
    """What erasing a case's victim does to each other person on the case (their own data subject)."""

    ERASE = "erase"  # their own key is destroyed too
    KEEP = "keep"  # they stay on this case, readable as before by those who may read it


@dataclass(frozen=True)
class OtherPerson:
    """Someone around the case, named by role and number ("accompanying_child-1"), never by a value."""

    case_person: CasePerson
    number: int

    @property
    def key(self) -> str:
        return f"{self.case_person.role}-{self.number}"


class ErasureDecisionsMissing(ValueError):
    """Erasing the victim was asked without a decision for each other person on the case."""

    def __init__(self, people: list[OtherPerson]):
        super().__init__("no decision for " + ", ".join(p.key for p in people))
        self.people = people


def other_people(case: Case) -> list[OtherPerson]:
    """The people on the case besides its victim whose data is not erased, numbered within their role."""
    counts: dict[str, int] = {}
    people = []
    for case_person in sorted(case.people, key=lambda p: (p.created_at, str(p.id))):
        counts[case_person.role] = counts.get(case_person.role, 0) + 1
        if case_person.person.erased_at is None:
            people.append(OtherPerson(case_person, counts[case_person.role]))
    return people


def erase_person(
    case: Case, reason: ErasureReason | str, by: User | None, others: dict | None = None
) -> None:
    """Crypto-shred the case's person: every sealed value of theirs, in every case, becomes unreadable.

    Their coded facts (sex, birth year, stage…) stay for statistics. The other people on the case
    are data subjects of their own: ``others`` maps each one's ``CasePerson.id`` to an
    ``OtherPersonChoice``, and nothing is erased unless every one of them has a decision (a
    person kept stays readable on this case; one erased loses their own key). When the victim was
    already erased, this erases the people chosen among those kept before.
    """
    others = {key: OtherPersonChoice(value) for key, value in (others or {}).items()}
    people = other_people(case)
    undecided = [p for p in people if p.case_person.id not in others]
    if undecided:
        raise ErasureDecisionsMissing(undecided)
    reason = ErasureReason(reason)
    kept = [p for p in people if others[p.case_person.id] is OtherPersonChoice.KEEP]
    if case.victim.erased_at is None:
        _erase_subject(
            case,
            case.victim,
            reason,
            by,
            ObjectType.VICTIM,
            {"people_erased": len(people) - len(kept), "people_kept": len(kept)},
        )
    for person in people:
        if others[person.case_person.id] is OtherPersonChoice.ERASE:
            _erase_subject(
                case, person.case_person.person, reason, by, ObjectType.CASE_PERSON, {"person": person.key}
            )


def _erase_subject(
    case: Case, subject: Victim, reason: ErasureReason, by: User | None, object_type: ObjectType, detail: dict
) -> None:
    """Destroy one data subject's keys and blind indexes; the event records which KEK wrapped them."""
    kek_id = crypto.vault().shred(db.session, subject.id)
    subject.erased_at = utcnow()
    subject.erasure_reason = reason
    subject.erased_by_id = by.id if by else None
    subject.bi_name_folded = subject.bi_name_tokens = subject.bi_id_number = None
    subject.bi_phone = subject.bi_dup_key = None
    forget_plaintext(subject)
    db.session.flush()
    audit.record(
        AuditAction.ERASE,
        actor=by,
        object_type=object_type,
        object_id=subject.id,
        case=case,
        purpose=str(reason),
        detail={**detail, "kek": kek_id},
    )


def update_person(case: Case, data: dict, actor: User, expected_version) -> None:
    """Edit the person's identity and contact; the case's version guards against lost updates."""
    from victimcare.cases.path import check_version, lock_case

    lock_case(case)
    check_version(case, expected_version)
    victim = case.victim
    for name in PERSONAL_FIELDS + CODED_FIELDS:
        if name in data:
            setattr(victim, name, data[name] if data[name] != "" else None)
    victim.set_birth(data.get("date_of_birth"), data.get("birth_year"))
    _touch(case)
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        object_type=ObjectType.VICTIM,
        object_id=victim.id,
        case=case,
        fields=[FieldGroup.IDENTITY, FieldGroup.CONTACT],
        ciphertext=_sealed(victim),
    )


def _sealed(instance) -> bytes:
    """Every sealed value of a row, for the audit event's ciphertext hash."""
    return b"".join(getattr(instance, f.sealed_attr) or b"" for f in instance.__encrypted_fields__.values())


def update_case_facts(case: Case, data: dict, actor: User, expected_version) -> None:
    from victimcare.cases.path import check_version, lock_case

    lock_case(case)
    check_version(case, expected_version)
    for name, value in data.items():
        setattr(case, name, value)
    _touch(case)
    audit.record(
        AuditAction.UPDATE,
        actor=actor,
        object_type=ObjectType.CASE,
        object_id=case.id,
        case=case,
        fields=[FieldGroup.NARRATIVE] + ([FieldGroup.INVESTIGATION] if "investigation_notes" in data else []),
        ciphertext=_sealed(case),
    )


def _touch(case: Case) -> None:
    """Bump the case's version even when only its person changed, so other editors see a stale form."""
    from sqlalchemy.orm.attributes import flag_modified

    flag_modified(case, "facts")
    db.session.flush()


def break_glass(case: Case, user: User, reason: str) -> bool:
    """Grant ``user`` one hour of emergency access to ``case`` (own province only); False if refused."""
    from datetime import timedelta

    from victimcare.cases.models import BreakGlassGrant

    if case.owning_agency.province_code != user.agency.province_code:
        return False
    grant = BreakGlassGrant(
        case=case,
        user_id=user.id,
        reason=reason,
        expires_at=utcnow() + timedelta(minutes=access.BREAK_GLASS_DURATION_MINUTES),
    )
    db.session.add(grant)
    db.session.flush()
    audit.record(
        AuditAction.BREAK_GLASS,
        actor=user,
        object_type=ObjectType.CASE,
        object_id=case.id,
        case=case,
        purpose="emergency",
        detail={"minutes": access.BREAK_GLASS_DURATION_MINUTES, "grant": str(grant.id)},
    )
    return True


def add_person(case: Case, role: str, data: dict, actor: User) -> None:
    """Record someone around the case; their personal data is sealed under their own key."""
    from victimcare.cases.models import CasePerson

    person = new_victim(data)
    db.session.add(person)
    db.session.add(CasePerson(case=case, person=person, role=role))
    _touch(case)
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        object_type=ObjectType.CASE_PERSON,
        object_id=person.id,
        case=case,
        fields=[FieldGroup.IDENTITY, FieldGroup.CONTACT],
        ciphertext=_sealed(person),
    )


# -- erasure on two supervisors' word, and legal holds ---------------------------------------------


class ErasureRefused(ValueError):
    """An erasure or hold request that cannot be carried out; the message is shown as is."""


def active_legal_hold(case: Case):
    from victimcare.cases.models import LegalHold

    return db.session.scalar(
        sa.select(LegalHold).where(LegalHold.case_id == case.id, LegalHold.lifted_at.is_(None))
    )


def _check_owning_supervisor(case: Case, user: User) -> None:
    if not access.for_case(user, case).owning_supervisor:
        raise ErasureRefused(_("Only a supervisor of the agency that owns the case may do this."))


def _check_erasable(case: Case) -> None:
    """Refused under a legal hold, or when nobody on the case is left to erase."""
    if case.victim.erased_at is not None and not other_people(case):
        raise ErasureRefused(_("This person's personal data was already erased."))
    if active_legal_hold(case) is not None:
        raise ErasureRefused(
            _("A legal hold is on this case: its data cannot be erased until the hold is lifted.")
        )


def request_erasure(case: Case, reason: ErasureReason | str, by: User, others: dict | None = None):
    """The owning agency's supervisor asks; the erasure waits for a second supervisor there.

    The decision for each other person on the case is part of the request (as coded data: their
    ``CasePerson`` id and erase or keep), so the approver approves exactly what was asked.
    """
    from victimcare.approvals import operations as approvals
    from victimcare.approvals.models import ApprovalKind

    _check_owning_supervisor(case, by)
    _check_erasable(case)
    others = {key: OtherPersonChoice(value) for key, value in (others or {}).items()}
    undecided = [p for p in other_people(case) if p.case_person.id not in others]
    if undecided:
        raise ErasureDecisionsMissing(undecided)
    try:
        return approvals.request_change(
            ApprovalKind.ERASURE,
            agency=case.owning_agency,
            case=case,
            by=by,
            change={"others": {str(key): str(value) for key, value in others.items()}},
            reason=ErasureReason(reason).value,
        )
    except approvals.ApprovalRefused as refused:
        raise ErasureRefused(str(refused)) from None


def may_approve_erasure(approver: User, row) -> bool:
    """Another supervisor of the agency that owns the case now."""
    return access.for_case(approver, row.case).owning_supervisor


def apply_erasure(row, approver: User) -> None:
    """The approved erasure takes effect through the one erase operation (refused under a hold, or
    when someone was added to the case after the request: then nobody decided about them)."""
    import uuid

    _check_erasable(row.case)
    others = {uuid.UUID(key): value for key, value in (row.change or {}).get("others", {}).items()}
    try:
        erase_person(row.case, row.reason, by=approver, others=others)
    except ErasureDecisionsMissing:
        raise ErasureRefused(
            _(
                "Someone was added to this case after the erasure was requested: "
                "ask again, deciding about them too."
            )
        ) from None


def set_legal_hold(case: Case, reason: str, by: User):
    from victimcare.cases.models import LegalHold, LegalHoldReason

    _check_owning_supervisor(case, by)
    if active_legal_hold(case) is not None:
        raise ErasureRefused(_("A legal hold is already on this case."))
    hold = LegalHold(case_id=case.id, reason=LegalHoldReason(reason), set_by_id=by.id)
    db.session.add(hold)
    db.session.flush()
    audit.record(
        AuditAction.LEGAL_HOLD,
        actor=by,
        object_type=ObjectType.CASE,
        object_id=case.id,
        case=case,
        purpose=hold.reason.value,
        detail={"change": "set"},
    )
    return hold


def lift_legal_hold(case: Case, by: User) -> None:
    _check_owning_supervisor(case, by)
    hold = active_legal_hold(case)
    if hold is None:
        raise ErasureRefused(_("There is no legal hold on this case."))
    hold.lifted_by_id, hold.lifted_at = by.id, utcnow()
    db.session.flush()
    audit.record(
        AuditAction.LEGAL_HOLD,
        actor=by,
        object_type=ObjectType.CASE,
        object_id=case.id,
        case=case,
        purpose=hold.reason.value,
        detail={"change": "lifted"},
    )
