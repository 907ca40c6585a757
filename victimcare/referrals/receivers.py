"""Why the list of receiving agencies is short: a purpose no agency of the sender's province serves.

Legal aid is given by the justice service's legal aid centre; a province that has not registered one
would leave the sender an empty list and a lone "—". The page says why instead, and the list offers
the agencies of other provinces that do the work (``operations.receiving_agencies``).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from victimcare.accounts.models import Agency, AgencyKind
from victimcare.extensions import db
from victimcare.labels import label
from workflows.referral import PURPOSES, Purpose


def note(sender: Agency, purpose: Purpose) -> str | None:
    """What the sender should know about the receivers offered for ``purpose``; None when agencies of
    the sender's own province do this work."""
    kinds = sorted(PURPOSES[purpose].receivers)
    provinces = set(
        db.session.scalars(
            sa.select(Agency.province_code).where(
                Agency.active.is_(True), Agency.id != sender.id, Agency.kind.in_(kinds)
            )
        )
    )
    if sender.province_code in provinces:
        return None
    names = dict(purpose=label(purpose), kinds=", ".join(label(AgencyKind(k)) for k in kinds))
    if not provinces:
        return _(
            "No agency registered here does %(purpose)s (it is the work of: %(kinds)s), so there is "
            "nobody to send it to yet. Ask your administrator to add the agency that does it; meanwhile "
            "record the need on the case or choose another purpose.",
            **names,
        )
    return _(
        "No agency in your province does %(purpose)s (it is the work of: %(kinds)s). The list offers "
        "those of other provinces; check with them before sending.",
        **names,
    )
