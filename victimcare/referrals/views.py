"""Referral pages: the inbox and outbox, one referral, sending from a case, and consent.

Views load, authorise, validate, call one operation, commit and redirect.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from victimcare import access
from victimcare.access import FieldGroup, Permission, requires
from victimcare.accounts.models import AgencyKind
from victimcare.audit import operations as audit
from victimcare.cases import read_model
from victimcare.cases.loading import case_to_act_on
from victimcare.database import utcnow
from victimcare.extensions import db
from victimcare.labels import label
from victimcare.pagination import paginate
from victimcare.referrals import handoff, operations, receivers
from victimcare.referrals.forms import (
    AnswerForm,
    ConsentForm,
    SendReferralForm,
    WithdrawConsentForm,
    consent_summary,
)
from victimcare.referrals.models import Consent, Referral
from vocabulary import ObjectType
from workflows.referral import PURPOSES, Purpose, ReferralKind, ReferralStatus
from workflows.victim_path import TransitionRefused

bp = Blueprint("referrals", __name__)
PAGE_SIZE = 50


@bp.app_template_filter("agency_kind_label")
def agency_kind_label(value: str) -> str:
    return label(AgencyKind(value))


@bp.app_template_filter("purpose_label")
def purpose_label(value: str) -> str:
    return label(Purpose(value))


@bp.app_template_filter("referral_step_title")
def referral_step_title(event) -> str:
    return handoff.step_title(event)


@bp.app_context_processor
def referral_counts():
    """Pending referrals waiting for the user's agency, for the navigation bar (one query)."""

    def counts():
        if "referral_counts" not in g:
            g.referral_counts = _counts()
        return g.referral_counts

    return {"referral_counts": counts}


def _counts() -> dict:
    if not (current_user.is_authenticated and access.has_permission(current_user, Permission.REFERRAL_WORK)):
        return {"pending": 0, "overdue": 0}
    pending, overdue = db.session.execute(
        sa.select(sa.func.count(), sa.func.count().filter(Referral.answer_due_at < utcnow())).where(
            Referral.to_agency_id == current_user.agency_id, Referral.status == ReferralStatus.PENDING
        )
    ).one()
    return {"pending": pending, "overdue": overdue}


@bp.route("/referrals")
@requires(Permission.REFERRAL_WORK)
def index():
    box = "outbox" if request.args.get("box") == "outbox" else "inbox"
    mine = Referral.from_agency_id if box == "outbox" else Referral.to_agency_id
    query = sa.select(Referral).where(mine == current_user.agency_id)
    status = request.args.get("status")
    if status in set(ReferralStatus):
        query = query.where(Referral.status == status)
    if request.args.get("overdue"):
        query = query.where(Referral.status == ReferralStatus.PENDING, Referral.answer_due_at < utcnow())
    page = paginate(
        query.order_by(Referral.status != ReferralStatus.PENDING, Referral.answer_due_at.desc(), Referral.id),
        PAGE_SIZE,
    )
    return render_template(
        "referrals/index.html",
        referrals=page.items,
        page=page,
        box=box,
        statuses=list(ReferralStatus),
    )


def _get_referral_or_404(referral_id: uuid.UUID) -> Referral:
    """A referral is known only to the sending and the receiving agency."""
    referral = db.session.get(Referral, referral_id)
    if referral is None or operations.side_of(current_user, referral) is None:
        abort(404)
    return referral


@bp.route("/referrals/<uuid:referral_id>")
@requires(Permission.REFERRAL_WORK)
def show(referral_id: uuid.UUID):
    referral = _get_referral_or_404(referral_id)
    return _render_referral(referral, AnswerForm(formdata=None, version=referral.version))


def _render_referral(referral: Referral, form: AnswerForm, reasons=(), status: int = 200):
    """Every render that opens a sealed text logs a view naming exactly the texts opened."""
    side = operations.side_of(current_user, referral)
    texts = operations.sealed_texts(referral, side)
    if texts:
        audit.record_view(
            referral.case,
            [f"referral_{name}" for name in sorted(texts)],
            object_type=ObjectType.REFERRAL,
            object_id=referral.id,
        )
    return render_template(
        "referrals/show.html",
        referral=referral,
        form=form,
        side=side,
        reasons=reasons,
        texts=texts,
        receiver_groups=sorted(
            handoff.receiver_groups(referral.kind, referral.to_agency.kind, referral.shared_groups),
            key=list(FieldGroup).index,
        ),
        can_open_case=access.for_case(current_user, referral.case).visible,
    ), status


@bp.route(
    "/referrals/<uuid:referral_id>/<any(accept, decline, withdraw, complete):trigger>", methods=["POST"]
)
@requires(Permission.REFERRAL_WORK)
def answer(referral_id: uuid.UUID, trigger: str):
    referral = _get_referral_or_404(referral_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return _render_referral(referral, form, status=400)
    try:
        operations.answer(
            referral,
            trigger,
            current_user,
            reason=form.reason.data,
            expected_version=form.version.data,
            assign_to=form.assign_to.data,
        )
    except operations.ReferralChanged:
        db.session.rollback()
        referral = db.session.get(Referral, referral_id, populate_existing=True)
        message = _(
            "Someone answered or ended this referral while you were looking at it. Here is where it stands now."
        )
        return _render_referral(referral, AnswerForm(formdata=None, version=referral.version), [message], 409)
    except TransitionRefused as refused:
        db.session.rollback()
        return _render_referral(referral, form, [_(r) for r in refused.reasons], 400)
    except PermissionError:
        abort(403)
    # Decided before the commit, in the transaction that answered: reading the referral afterwards
    # would open a second write transaction (and take SQLite's write lock) only to pick a page.
    done = handoff.answer_message(referral, trigger)
    if trigger == "accept" and access.for_case(current_user, referral.case).visible:
        target = url_for("cases.show", reference=referral.case.reference)
    else:
        target = url_for("referrals.show", referral_id=referral.id)
    db.session.commit()
    flash(done, "success")
    return redirect(target)


@bp.route("/cases/<reference>/referrals/new", methods=["GET", "POST"])
@requires(Permission.REFERRAL_WORK)
def new(reference: str):
    case, seen = case_to_act_on(reference)
    try:
        purpose = Purpose(request.args.get("purpose", ""))
    except ValueError:
        return render_template("referrals/choose_purpose.html", case=case, purposes=list(Purpose))
    form = SendReferralForm()
    agencies = operations.receiving_agencies(current_user.agency, purpose, ReferralKind.TRANSFER)
    form.offer(
        current_user.agency, agencies, operations.active_consents(case), operations.default_groups(purpose)
    )
    reasons, preview = [], None
    if form.validate_on_submit():
        sending = form.sending(purpose)
        if sending["kind"] == ReferralKind.TRANSFER:  # the whole record moves: the share boxes do not apply
            sending["groups"] = handoff.transfer_groups(seen.groups, sending["to_agency"].kind)
            form.groups.data = sorted(sending["groups"])
        reasons = operations.sharing_refusals(
            case,
            current_user,
            sending["to_agency"],
            purpose,
            sending["kind"],
            sending["groups"],
            sending["legal_basis"],
            sending["consent"],
        )
        if not reasons and form.confirmed.data == "yes":
            referral = operations.send(case, current_user, **sending)
            db.session.commit()
            flash(handoff.sent_message(referral), "success")
            return redirect(url_for("cases.show", reference=case.reference))
        if not reasons:
            preview = operations.preview(case, seen, sending["to_agency"], sending["kind"], sending["groups"])
        form.confirmed.data = "" if reasons else "yes"  # a refused send always goes back through the preview
        reasons = [_(r) for r in reasons]
    status = 400 if request.method == "POST" and preview is None else 200
    return render_template(
        "referrals/new.html",
        case=case,
        form=form,
        purpose=purpose,
        rule=PURPOSES[purpose],
        receivers_note=receivers.note(current_user.agency, purpose),
        reasons=reasons,
        preview=preview.shown if preview else None,
        view=read_model.preview(case, preview.shown) if preview else None,
        unseen=preview.unseen if preview else [],
    ), status


@bp.route("/cases/<reference>/consents/new", methods=["GET", "POST"])
@requires(Permission.REFERRAL_WORK)
def new_consent(reference: str):
    case, _seen = case_to_act_on(reference)
    form = ConsentForm()
    reasons = []
    if form.validate_on_submit():
        try:
            operations.record_consent(
                case,
                current_user,
                given_by=form.given_by.data,
                guardian_name=form.guardian_name.data,
                agency_kinds=form.agency_kinds.data or [],
                purposes=form.purposes.data or [],
                for_statistics=form.for_statistics.data,
                contact_family=form.contact_family.data,
                method=form.method.data,
                witness_name=form.witness_name.data,
                given_at=form.given_at.data,
            )
        except TransitionRefused as refused:
            db.session.rollback()
            reasons = [_(r) for r in refused.reasons]
        else:
            db.session.commit()
            flash(_("Consent recorded."), "success")
            return redirect(url_for("cases.show", reference=reference))
    status = 400 if request.method == "POST" else 200
    return render_template("referrals/consent.html", case=case, form=form, reasons=reasons), status


@bp.route("/cases/<reference>/consents/<uuid:consent_id>/withdraw", methods=["GET", "POST"])
@requires(Permission.REFERRAL_WORK)
def withdraw_consent(reference: str, consent_id: uuid.UUID):
    """Asks first, saying what will end; then records the day and the reason and ends it."""
    case, _seen = case_to_act_on(reference)
    consent = db.session.get(Consent, consent_id)
    if consent is None or consent.case_id != case.id:
        abort(404)
    if not consent.active:
        flash(_("This consent was already withdrawn."), "info")
        return redirect(url_for("cases.show", reference=reference))
    form, reasons = WithdrawConsentForm(), []
    if form.validate_on_submit():
        try:
            ended = operations.withdraw_consent(
                consent, current_user, withdrawn_on=form.withdrawn_on.data, reason=form.reason.data
            )
        except TransitionRefused as refused:
            db.session.rollback()
            reasons = [_(r) for r in refused.reasons]
        except operations.ReferralChanged:
            db.session.rollback()
            reasons = [_("A referral resting on this consent changed at the same moment. Try again.")]
        else:
            db.session.commit()
            flash(consent_withdrawn_message(ended), "success")
            return redirect(url_for("cases.show", reference=reference))
    return render_template(
        "referrals/withdraw_consent.html",
        case=case,
        consent=consent,
        summary=consent_summary(consent),
        resting=operations.resting_on(consent),
        form=form,
        reasons=reasons,
    ), (400 if request.method == "POST" else 200)


def consent_withdrawn_message(ended: list[Referral]) -> str:
    """Says plainly what ended: the referrals by agency and purpose, or that none did."""
    if not ended:
        return _("Consent withdrawn. No referral rested on it, so none ended; nothing more is shared on it.")
    names = "; ".join(f"{r.to_agency.name} ({label(Purpose(r.purpose))})" for r in ended)
    return ngettext(
        "Consent withdrawn. %(num)d referral resting on it has ended: %(names)s.",
        "Consent withdrawn. These %(num)d referrals resting on it have ended: %(names)s.",
        len(ended),
        names=names,
    )
