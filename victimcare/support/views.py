"""Support, protection, reintegration and medical-care pages of a case, and the follow-up list.

Load the case (404 if the user may not know it), check the user may record this work (403),
validate, call one operation, commit, back to the case page. A stale save keeps the user's input.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from victimcare import working_days
from victimcare.access import Permission, Work, requires
from victimcare.accounts.models import Agency
from victimcare.audit import operations as audit
from victimcare.cases.loading import case_or_404, case_to_record
from victimcare.extensions import db
from victimcare.i18n import format_day
from victimcare.labels import label
from victimcare.support import operations
from victimcare.support.forms import (
    EndMeasureForm,
    ExtensionForm,
    FollowUpForm,
    MeasureForm,
    MedicalCareForm,
    PlanForm,
    RiskAssessmentForm,
    ServiceForm,
)
from victimcare.support.labels import GOAL_LABELS, warning
from victimcare.support.models import AtRisk, FollowUp, Measure, ProtectionMeasure, SupportService
from vocabulary import FieldGroup, ObjectType
from workflows import support as rules
from workflows.support import SupportType

bp = Blueprint("support", __name__)


@bp.app_template_filter("format_letter")
def format_letter(letter: str) -> str:
    return f"({letter})"


@bp.app_template_filter("measure_label")
def measure_label(value: str) -> str:
    return label(Measure(value))


@bp.app_template_filter("at_risk_label")
def at_risk_label(value: str) -> str:
    return label(AtRisk(value))


bp.add_app_template_global(warning, "protection_warning")


@bp.app_template_global("goal_label")
def goal_label(goal: str) -> str:
    return str(GOAL_LABELS.get(goal, goal))


def _record_of(model, record_id, case):
    record = db.session.get(model, record_id)
    if record is None or record.case_id != case.id:
        abort(404)
    return record


def _agencies() -> list[Agency]:
    return list(db.session.scalars(sa.select(Agency).where(Agency.active.is_(True)).order_by(Agency.name)))


def _agency_choices(blank: bool = True) -> list[tuple[str, str]]:
    return ([("", "—")] if blank else []) + [(str(a.id), a.name) for a in _agencies()]


def _back(case, anchor: str):
    flash(_("Saved."), "success")
    return redirect(url_for("cases.show", reference=case.reference, _anchor=anchor))


def _save_or_stale(form, record, save, page: str, anchor: str, context: dict):
    """Validate and run a versioned save, then back to the case; a lost race keeps the input and says so."""
    if form.validate_on_submit():
        try:
            save()
        except operations.StaleRecord:
            db.session.rollback()
            form.version.data = record.version  # the newest, reloaded after the rollback
            form.form_errors.append(
                _(
                    "Someone else saved this record while you were editing. Your changes are "
                    "below and were not saved; open the case in another tab to see theirs, "
                    "then save again."
                )
            )
            return render_template(page, form=form, **context), 409
        db.session.commit()
        return _back(context["case"], anchor)
    return render_template(page, form=form, **context), _status()


def _status() -> int:
    return 400 if request.method == "POST" else 200


# -- support services and medical care -----------------------------------------------------------


@bp.route("/cases/<reference>/support/new", methods=["GET", "POST"])
@requires(Permission.CASE_EDIT)
def new_service(reference: str):
    return _new_service(reference, Work.SUPPORT, ServiceForm)


@bp.route("/cases/<reference>/medical/new", methods=["GET", "POST"])
@requires(Permission.CASE_EDIT)
def new_medical(reference: str):
    return _new_service(reference, Work.MEDICAL, MedicalCareForm)


def _new_service(reference: str, work: Work, form_class):
    case, _seen = case_to_record(reference, work)
    people = operations.people_choices(case)
    person_id = request.args.get("person") or people[0][0]
    found = operations.find_person(case, person_id)
    if found is None:
        abort(404)
    person, role = found
    status = operations.status_of(case, person, role)
    # The support form lists every entitlement; each form records only the types of its own work.
    offers = [
        o
        for o in rules.offers(status, case.legal_regime)
        if work == Work.SUPPORT or operations.work_of(o.type) == work
    ]
    form = form_class()
    form.support_type.choices = [
        (o.type.value, label(o.type)) for o in offers if o.eligible and operations.work_of(o.type) == work
    ]
    form.provider_agency_id.choices = _agency_choices()
    if request.method == "GET":
        form.provider_agency_id.data = str(current_user.agency_id)
        if len(people) > 1:  # the person picker names them
            audit.record_view(case, [FieldGroup.IDENTITY], purpose="edit", object_type=ObjectType.CASE_PERSON)
    context = dict(
        case=case,
        people=people,
        person_id=str(person.id),
        beneficiary=status,
        offers=offers,
        title=_("Record medical or psychological care") if work == Work.MEDICAL else _("Record support"),
    )
    if form.validate_on_submit():
        operations.record_service(case, current_user, person.id, form.service_data())
        db.session.commit()
        return _back(case, "medical" if work == Work.MEDICAL else "support")
    return render_template("support/service_form.html", form=form, **context), _status()


@bp.route("/cases/<reference>/support/<uuid:service_id>", methods=["GET", "POST"])
@requires(Permission.CASE_EDIT)
def edit_service(reference: str, service_id):
    case, seen = case_or_404(reference)
    service = _record_of(SupportService, service_id, case)
    work = operations.work_of(service.support_type)  # the row's type decides, never the page it came through
    if not seen.may_record(work):
        abort(403)
    medical = work == Work.MEDICAL
    form_class = MedicalCareForm if medical else ServiceForm
    form = form_class(obj=service if request.method == "GET" else None)
    form.support_type.choices = [(service.support_type.value, label(service.support_type))]
    form.provider_agency_id.choices = _agency_choices()
    if request.method == "GET":
        audit.record_view(
            case,
            [FieldGroup.MEDICAL if medical else FieldGroup.SUPPORT],
            purpose="edit",
            object_type=ObjectType.SUPPORT_SERVICE,
            object_id=service.id,
        )
        form.version.data = service.version
        form.provider_agency_id.data = str(service.provider_agency_id or "")
    context = dict(
        case=case,
        service=service,
        people=None,
        offers=None,
        title=_("Change %(type)s", type=label(service.support_type)),
    )
    return _save_or_stale(
        form,
        service,
        lambda: operations.update_service(service, current_user, form.service_data(), form.version.data),
        "support/service_form.html",
        "medical" if medical else "support",
        context,
    )


@bp.route("/cases/<reference>/support/<uuid:service_id>/extend", methods=["GET", "POST"])
@requires(Permission.CASE_EDIT)
def extend_service(reference: str, service_id):
    case, _seen = case_to_record(reference, Work.SUPPORT)
    service = _record_of(SupportService, service_id, case)
    if service.support_type != SupportType.ESSENTIAL_NEEDS:
        abort(404)
    form = ExtensionForm()
    limit = operations.lodging_limit(service)
    if form.validate_on_submit():
        if limit is not None and form.new_end_on.data <= limit:
            form.new_end_on.errors.append(
                _("The new end must come after the current limit (%(day)s).", day=format_day(limit))
            )
        else:
            operations.extend_lodging(
                service,
                current_user,
                {
                    "decided_on": form.decided_on.data,
                    "new_end_on": form.new_end_on.data,
                    "decision_reference": form.decision_reference.data,
                },
            )
            db.session.commit()
            return _back(case, "support")
    return render_template(
        "support/form.html",
        form=form,
        case=case,
        anchor="support",
        title=_("Extend essential-needs support"),
        intro=_(
            "Current limit: %(day)s. Support beyond 120 days needs a decision (Decree 162 Art 17).",
            day=format_day(limit) or "—",
        ),
    ), _status()


# -- protection ----------------------------------------------------------------------------------


@bp.route("/cases/<reference>/protection/assessment", methods=["GET", "POST"])
@requires(Permission.CASE_EDIT)
def new_assessment(reference: str):
    case, _seen = case_to_record(reference, Work.PROTECTION)
    form = RiskAssessmentForm()
    if form.validate_on_submit():
        operations.assess_risk(case, current_user, form.assessment_data())
        db.session.commit()
        return _back(case, "protection")
    return render_template(
        "support/form.html", form=form, case=case, anchor="protection", title=_("Assess the risk")
    ), _status()


@bp.route("/cases/<reference>/protection/measures/new", methods=["GET", "POST"])
@requires(Permission.CASE_EDIT)
def new_measure(reference: str):
    case, _seen = case_to_record(reference, Work.PROTECTION)
    form = MeasureForm()
    form.deciding_agency_id.choices = _agency_choices()
    if request.method == "GET":
        form.deciding_agency_id.data = str(current_user.agency_id)
    if form.validate_on_submit():
        operations.apply_measure(case, current_user, form.measure_data())
        db.session.commit()
        return _back(case, "protection")
    return render_template(
        "support/form.html", form=form, case=case, anchor="protection", title=_("Apply a protection measure")
    ), _status()


@bp.route("/cases/<reference>/protection/measures/<uuid:measure_id>/end", methods=["GET", "POST"])
@requires(Permission.CASE_EDIT)
def end_measure(reference: str, measure_id):
    case, _seen = case_to_record(reference, Work.PROTECTION)
    measure = _record_of(ProtectionMeasure, measure_id, case)
    form = EndMeasureForm()
    form.handed_over_to_id.choices = [c for c in _agency_choices() if c[0] != str(current_user.agency_id)]
    if request.method == "GET":
        form.version.data = measure.version
    context = dict(
        case=case,
        anchor="protection",
        title=_("End or hand over: %(measure)s", measure=label(measure.measure)),
    )
    return _save_or_stale(
        form,
        measure,
        lambda: operations.end_measure(measure, current_user, form.end_data(), form.version.data),
        "support/form.html",
        "protection",
        context,
    )


# -- reintegration -------------------------------------------------------------------------------


@bp.route("/cases/<reference>/reintegration", methods=["GET", "POST"])
@requires(Permission.CASE_EDIT)
def plan(reference: str):
    case, _seen = case_to_record(reference, Work.REINTEGRATION)
    existing = operations.plan_of(case)
    form = PlanForm()
    if request.method == "GET" and existing is not None:
        audit.record_view(
            case,
            [FieldGroup.SUPPORT],
            purpose="edit",
            object_type=ObjectType.REINTEGRATION_PLAN,
            object_id=existing.id,
        )
        form.process(
            data={"version": existing.version, "starts_on": existing.starts_on, **(existing.goals or {})}
        )
    context = dict(case=case, anchor="reintegration", title=_("Reintegration plan"))
    return _save_or_stale(
        form,
        existing,
        lambda: operations.save_plan(case, current_user, form.plan_data(), form.version.data or None),
        "support/form.html",
        "reintegration",
        context,
    )


@bp.route("/cases/<reference>/follow-ups/<uuid:follow_up_id>", methods=["GET", "POST"])
@requires(Permission.CASE_EDIT)
def record_follow_up(reference: str, follow_up_id):
    case, _seen = case_to_record(reference, Work.REINTEGRATION)
    follow_up = _record_of(FollowUp, follow_up_id, case)
    form = FollowUpForm(obj=follow_up if request.method == "GET" else None)
    if request.method == "GET":
        if follow_up.done_on is not None:
            audit.record_view(
                case,
                [FieldGroup.SUPPORT],
                purpose="edit",
                object_type=ObjectType.FOLLOW_UP,
                object_id=follow_up.id,
            )
        form.version.data = follow_up.version
    context = dict(
        case=case,
        anchor="reintegration",
        title=_("Follow-up visit due %(day)s", day=format_day(follow_up.due_on)),
    )
    return _save_or_stale(
        form,
        follow_up,
        lambda: operations.record_follow_up(
            follow_up, current_user, form.follow_up_data(), form.version.data
        ),
        "support/form.html",
        "reintegration",
        context,
    )


@bp.route("/follow-ups")
@requires(Permission.CASE_LIST)
def follow_ups():
    """Visits due in the next two weeks or overdue, on the cases this user's agency works on."""
    today = working_days.today()
    mine = bool(request.args.get("mine"))
    visits = operations.follow_ups_for(current_user, today, mine=mine)
    return render_template("support/follow_ups.html", visits=visits, today=today, mine=mine)
