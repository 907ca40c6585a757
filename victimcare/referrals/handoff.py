"""What a handoff means for each side, said plainly: what the receiver will read, what an answer did.

A transfer and a referral look alike on the form but are different acts. A referral lends the parts
of the record the sender chose, while it is accepted; a transfer hands the whole case over, and the
receiver then reads it as it reads its own cases, whatever boxes were ticked. The rules themselves
live in ``victimcare.access`` (the groups each kind of agency reads, the part its own work is written
in); this module only applies them to a referral that is not yet accepted, so the pages can say what
will happen before it does.
"""

from __future__ import annotations

from flask_babel import gettext as _

from victimcare import access
from victimcare.access import FieldGroup
from victimcare.i18n import format_moment
from victimcare.labels import label
from workflows.referral import ReferralKind, ReferralStatus


def receiver_groups(kind: str, to_agency_kind: str, shared_groups) -> frozenset[FieldGroup]:
    """The parts of the record the receiving agency reads once it has accepted.

    A transfer: what that kind of agency reads on a case it holds (its case workers also read the
    medical part, as on every case their agency holds). A referral: the parts shared that the
    receiver's work needs, plus the part it records its own work in (as ``access.for_case`` decides).
    """
    kind_groups = access.GROUPS_BY_AGENCY_KIND.get(str(to_agency_kind), frozenset())
    if kind == ReferralKind.TRANSFER:
        return frozenset(kind_groups)
    groups = {FieldGroup(group) for group in shared_groups}
    own_work = access.OWN_WORK_GROUP.get(str(to_agency_kind))
    if own_work is not None:
        groups.add(own_work)
    return frozenset(groups) & kind_groups


def transfer_groups(sender_groups, to_agency_kind: str) -> set[str]:
    """What a transfer records as handed over: every part the sender reads (``sender_groups``, from
    ``access.for_case``) that the receiver's work needs.

    The share boxes do not apply to a transfer (the whole record moves); this is what its history,
    log and checks name instead of whatever boxes happened to be ticked.
    """
    receiver = access.GROUPS_BY_AGENCY_KIND.get(str(to_agency_kind), frozenset())
    return {str(group) for group in frozenset(sender_groups) & receiver}


def sent_message(referral) -> str:
    """The confirmation after sending: by when the answer is due, in local time like every time shown."""
    when = format_moment(referral.answer_due_at)
    if referral.kind == ReferralKind.TRANSFER:
        return _(
            "Sent to %(agency)s. They must answer by %(when)s; once they accept, the case and its whole record are theirs.",
            agency=referral.to_agency.name,
            when=when,
        )
    return _("Sent to %(agency)s. They must answer by %(when)s.", agency=referral.to_agency.name, when=when)


def answer_message(referral, trigger: str) -> str:
    """The confirmation after an answer: what changed for the person who gave it."""
    reference = referral.case.reference
    if trigger == "accept" and referral.kind == ReferralKind.TRANSFER:
        return _(
            "Case %(ref)s is now yours: your agency holds it and its whole record, and it is in your case list.",
            ref=reference,
        )
    if trigger == "accept":
        return _(
            "Accepted. Your agency can open case %(ref)s, with the parts shared, until the referral is completed or withdrawn.",
            ref=reference,
        )
    if trigger == "decline":
        return _("Declined. %(agency)s sees your reason.", agency=referral.from_agency.name)
    if trigger == "withdraw":
        return _(
            "Withdrawn. %(agency)s can no longer open case %(ref)s through it.",
            agency=referral.to_agency.name,
            ref=reference,
        )
    return _(
        "Marked as completed: %(agency)s no longer opens case %(ref)s through it.",
        agency=referral.to_agency.name,
        ref=reference,
    )


def step_title(event) -> str:
    """A referral's step in the case history: a transfer is called a transfer, and its last step says
    who holds the case now."""
    referral = event.referral
    agency = referral.to_agency.name
    if referral.kind != ReferralKind.TRANSFER:
        return _("Referral to %(agency)s: %(status)s", agency=agency, status=label(event.to_status))
    if event.trigger == "complete" and event.to_status == ReferralStatus.COMPLETED:
        return _("Transfer to %(agency)s: done, it now holds the case", agency=agency)
    return _("Transfer to %(agency)s: %(status)s", agency=agency, status=label(event.to_status))
