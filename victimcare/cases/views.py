"""Case pages: the list and search, intake, the case page, stage steps, edits and erasure.

Searches are POSTed, so a name or number typed in never lands in a URL, a log or a history.
Views load, authorise, validate, call one operation and redirect.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from limits import parse as parse_limit

from victimcare import access, queue
from victimcare.access import CaseAccess, FieldGroup, Permission, Reason, requires
from victimcare.accounts import step_up
from victimcare.accounts.forms import ConfirmForm
from victimcare.accounts.models import Role
from victimcare.audit import operations as audit
from victimcare.cases import assignment, hooks, listing, operations, path, read_model
from victimcare.cases.assignment_page import assign_form
from victimcare.cases.forms import (
    BreakGlassForm,
    CasePersonForm,
    EditCaseFactsForm,
    EditPersonForm,
    EraseForm,
    IntakeForm,
    LegalHoldForm,
    SearchForm,
    TakeForm,
    erase_form,
    transition_form,
    tristate_value,
)
from victimcare.cases.history import stage_entries
from victimcare.cases.loading import case_for_owning_supervisor, case_or_404, case_to_act_on
from victimcare.cases.models import Case, Exploitation
from victimcare.database import utcnow
from victimcare.extensions import db, limiter
from victimcare.labels import label
from victimcare.pagination import paginate
from vocabulary import AuditAction, ObjectType
from workflows import victim_path
from workflows.victim_path import PATH, STOPPED_CLOCK, Stage

bp = Blueprint("cases", __name__, url_prefix="/cases")
PAGE_SIZE = 50


@bp.app_template_filter("exploitation_label")
def exploitation_label(value: str) -> str:
    return label(Exploitation(value))


def _filtered_query():
    """The visible cases' list rows, narrowed by the list's filters (all in SQL)."""
    query = listing.select_rows().where(access.visible_cases(current_user))
    stage = request.args.get("stage")
    if stage in set(Stage):
        query = query.where(Case.stage == stage)
    agency = request.args.get("agency")
    if agency:
        query = query.where(Case.owning_agency.has(code=agency))
    if request.args.get("mine"):
        query = query.where(Case.assigned_user_id == current_user.id)
    if request.args.get("overdue"):
        query = query.where(Case.stage_deadline < utcnow(), Case.stage.not_in(STOPPED_CLOCK))
    query = queue.filter_cases(query, request.args, current_user)  # the work queue's links
    if request.args.get("sort") == "deadline":
        return listing.order_deadline(query)
    return listing.order_newest(query)


@bp.route("", methods=["GET", "POST"])
@requires(Permission.CASE_LIST)
def index():
    form = SearchForm()
    if form.validate_on_submit():
        found = operations.search_cases(current_user, form.kind.data, form.q.data, born=form.born.data)
        audit.record(
            AuditAction.SEARCH,
            object_type=ObjectType.VICTIM,
            detail={"index": form.kind.data, "results": len(found)},
        )
        rows = listing.load(
            listing.order_newest(listing.select_rows().where(Case.id.in_([c.id for c in found])))
        )
        audit.record_list_view(rows)
        return render_template(
            "cases/index.html",
            form=form,
            cases=rows,
            searched=True,
            page=None,  # search results come whole, on one page
            stages=list(Stage),
        )
    page = paginate(_filtered_query(), PAGE_SIZE, load=listing.load)
    audit.record_list_view(page.items)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "cases/index.html",
        form=form,
        cases=page.items,
        searched=False,
        page=page,
        stages=list(Stage),
    ), status


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.CASE_CREATE)
def new():
    form = IntakeForm()
    if form.validate_on_submit():
        if not _may_check_intake():
            audit.record(
                AuditAction.DENIED, object_type=ObjectType.INTAKE_CHECK, detail={"reason": "rate_limit"}
            )
            db.session.commit()
            form.form_errors.append(
                _(
                    "You have checked many people in a short time, so the check is paused for "
                    "now. Your input is kept below; try again later or ask your supervisor."
                )
            )
            return render_template("cases/new.html", form=form, check=None), 429
        victim = operations.new_victim(form.victim_data())
        check = operations.check_intake(victim, current_user)
        if not check.warns or form.confirm_new_person.data:
            case = operations.open_case(
                victim=victim, agency=current_user.agency, created_by=current_user, facts=form.case_data()
            )
            db.session.commit()
            flash(_("Case %(ref)s has been opened.", ref=case.reference), "success")
            return redirect(url_for("cases.show", reference=case.reference))
        db.session.commit()  # the check is a search: its event is kept even though nothing else is saved
        return render_template("cases/new.html", form=form, check=check), 409
    status = 400 if request.method == "POST" else 200
    return render_template("cases/new.html", form=form, check=None), status


def _may_check_intake() -> bool:
    """Counts this user's duplicate checks in the shared rate-limit store (INTAKE_CHECK_LIMIT)."""
    limit = parse_limit(current_app.config["INTAKE_CHECK_LIMIT"])
    return limiter.limiter.hit(limit, "intake_check", str(current_user.id))


@bp.route("/<reference>")
@requires(Permission.CASE_VIEW)
def show(reference: str):
    return _render_case(*case_or_404(reference))


def _render_case(case: Case, seen: CaseAccess, erase_form: EraseForm | None = None):
    """The case page: its read model, the sections other domains registered, one view event."""
    view = read_model.build(case, seen)
    sections, section_opened, steps = hooks.sections(case, seen)
    history, history_opened = stage_entries(
        sorted([*case.events, *steps], key=lambda event: event.created_at), seen.groups
    )
    # The page's event names exactly the groups whose values it holds; sealed step facts are
    # logged on the steps they belong to.
    audit.record_view(
        case,
        view.opened | section_opened,
        purpose="break_glass" if seen.reason == Reason.BREAK_GLASS else None,
    )
    if history_opened:
        audit.record_view(case, history_opened, purpose="history", object_type=ObjectType.STAGE_EVENT)
    actions = []
    if seen.may_act:
        actions = victim_path.available(
            case.stage, current_user.agency.kind, current_user.role, case.suspended_from
        )
    if erase_form is None and seen.owning_supervisor:
        erase_form = erase_form_for(case, formdata=None)
    return render_template(
        "cases/show.html",
        view=view,
        case=view.case,
        access=seen,
        edit_links=seen.may_act,
        actions=actions,
        path=PATH,
        erase_form=erase_form,
        break_glass=seen.break_glass,
        viewers=_viewers(case, seen),
        history=history,
        history_hidden=any(getattr(e, "hidden", False) for e in history),
        duties=_duties(case) if seen.owning_supervisor else None,
        erasure=_erasure_status(case),
        **sections,
    )


def _duties(case: Case) -> dict:
    """For the owning agency's supervisors: the legal hold and the erasure waiting for approval."""
    from victimcare.approvals import operations as approvals
    from victimcare.approvals.models import ApprovalKind

    pending = approvals.waiting_for(ApprovalKind.ERASURE, case=case)
    return {
        "hold": operations.active_legal_hold(case),
        "hold_form": LegalHoldForm(formdata=None),
        "erasure": pending,
        "may_decide": pending is not None and approvals.may_decide(current_user, pending),
    }


def _erasure_status(case: Case) -> dict | None:
    """For an erased case: whether copies made before (backups, replicas) can still open any of it.

    ``kek``: the newest KEK whose retirement completes the erasure everywhere (None: complete);
    ``due``: when the rotation schedule replaces the primary KEK; ``rotated``: whether that KEK is no
    longer primary (only its retirement is left).
    """
    if case.victim.erased_at is None:
        return None
    from victimcare import crypto
    from victimcare.crypto import rotation

    vault = crypto.vault()
    vault.reload_keyring_if_changed()  # `keys retire` ran in another process: say so at once
    keyring = vault.keyring
    subjects = [case.victim_id] + [p.person_id for p in case.people if p.person.erased_at is not None]
    pending = rotation.pending_erasures(db.session, keyring, subjects)
    kek = max((p.kek_id for p in pending), default=None)
    due = rotation.next_rotation_due(keyring, current_app.config["KEY_ROTATION_DAYS"])
    return {
        "kek": kek,
        "rotated": kek is not None and kek < keyring.primary_kek_id,
        "due": due,
        "overdue": due is not None and due < utcnow(),
    }


def _viewers(case: Case, seen: CaseAccess):
    """For the owning agency's supervisor: everyone who has opened this record."""
    from victimcare.audit.review import case_viewers

    if seen.reason == Reason.OWNER and current_user.role == Role.SUPERVISOR:
        return case_viewers(case)
    return None


@bp.route("/<reference>/transition/<trigger>", methods=["GET", "POST"])
@requires(Permission.CASE_EDIT)
def transition(reference: str, trigger: str):
    case, _seen = case_to_act_on(reference)
    step = victim_path.find(trigger, case.stage, case.suspended_from)
    if step is None:
        abort(404)
    defaults = path.defaults_for(case, step) if request.method == "GET" else None
    form = transition_form(step, current_user.agency.kind, data=defaults)
    reasons, status = [], 200
    if form.validate_on_submit():
        try:
            path.fire_transition(
                case, trigger, form.facts(), current_user, expected_version=form.version.data
            )
        except path.StaleCase:
            db.session.rollback()
            reasons, status = (
                [_("Someone saved this case after you opened this form. Check the case, then try again.")],
                409,
            )
        except path.TransitionRefused as refused:
            db.session.rollback()
            reasons, status = [_(r) for r in refused.reasons], 400
        else:
            db.session.commit()
            flash(_("Done: %(step)s.", step=_(step.label)), "success")
            return redirect(url_for("cases.show", reference=reference))
    elif request.method == "POST":
        status = 400
    return render_template(
        "cases/transition.html",
        case=case,
        step=step,
        form=form,
        reasons=reasons,
        derived=path.derived_items(case, step),
    ), status


@bp.route("/<reference>/edit/person", methods=["GET", "POST"])
@requires(Permission.CASE_EDIT)
def edit_person(reference: str):
    case, seen = case_to_act_on(reference)
    victim = case.victim
    if not seen.reads(FieldGroup.IDENTITY, FieldGroup.CONTACT):
        abort(403)
    form = EditPersonForm(obj=victim if request.method == "GET" else None)
    if request.method == "GET":
        audit.record_view(case, {FieldGroup.IDENTITY, FieldGroup.CONTACT}, purpose="edit")
        form.version.data = case.version
        form.id_document_type.data = victim.id_document_type or ""
        form.is_ethnic_minority.data = tristate_value(victim.is_ethnic_minority)
    if form.validate_on_submit():
        return _save_or_stale(
            case,
            form,
            "cases/edit_person.html",
            lambda: operations.update_person(
                case, form.victim_data(), current_user, expected_version=form.version.data
            ),
        )
    status = 400 if request.method == "POST" else 200
    return render_template("cases/edit_person.html", case=case, form=form), status


@bp.route("/<reference>/edit/facts", methods=["GET", "POST"])
@requires(Permission.CASE_EDIT)
def edit_facts(reference: str):
    case, seen = case_to_act_on(reference)
    groups = seen.groups
    if FieldGroup.NARRATIVE not in groups:
        abort(403)
    form = EditCaseFactsForm(obj=case if request.method == "GET" else None)
    if request.method == "GET":
        audit.record_view(case, groups & {FieldGroup.NARRATIVE, FieldGroup.INVESTIGATION}, purpose="edit")
        form.version.data = case.version
        form.trafficked_abroad.data = tristate_value(case.trafficked_abroad)
    if FieldGroup.INVESTIGATION not in groups:
        del form.investigation_notes
    if form.validate_on_submit():
        data = form.case_data()
        if FieldGroup.INVESTIGATION in groups:
            data["investigation_notes"] = form.investigation_notes.data or None
        return _save_or_stale(
            case,
            form,
            "cases/edit_facts.html",
            lambda: operations.update_case_facts(
                case, data, current_user, expected_version=form.version.data
            ),
        )
    status = 400 if request.method == "POST" else 200
    return render_template("cases/edit_facts.html", case=case, form=form), status


def _save_or_stale(case: Case, form, template: str, save):
    """Run a versioned save; commit and go back to the case, or explain a lost race."""
    try:
        save()
    except path.StaleCase:
        db.session.rollback()
        return _stale(form, template, case)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("cases.show", reference=case.reference))


def _stale(form, template: str, case: Case):
    """The save lost a race: keep what the user typed, say so, let them compare and resubmit."""
    form.form_errors.append(
        _(
            "Someone else saved this case while you were editing. Your changes are below and were not saved; "
            "open the case in another tab to see theirs, then save again."
        )
    )
    case = db.session.get(Case, case.id)
    form.version.data = case.version
    return render_template(template, case=case, form=form), 409


@bp.route("/<reference>/people", methods=["GET", "POST"])
@requires(Permission.CASE_EDIT)
def add_person(reference: str):
    case, _seen = case_to_act_on(reference)
    form = CasePersonForm()
    if form.validate_on_submit():
        operations.add_person(case, form.role.data, form.person_data(), current_user)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("cases.show", reference=reference))
    status = 400 if request.method == "POST" else 200
    return render_template("cases/add_person.html", case=case, form=form), status


@bp.route("/<reference>/workflow")
@requires(Permission.CASE_VIEW)
def workflow(reference: str):
    case, _seen = case_or_404(reference)
    from victimcare.cases.diagram import diagram_svg, path_table

    return render_template(
        "cases/workflow.html",
        case=read_model.header(case),
        path=PATH,
        svg_available=diagram_svg(case.stage) is not None,
        steps=path_table(),
    )


@bp.route("/<reference>/workflow.svg")
@requires(Permission.CASE_VIEW)
def workflow_svg(reference: str):
    case, _seen = case_or_404(reference)
    from victimcare.cases.diagram import diagram_svg

    svg = diagram_svg(case.stage)
    if svg is None:
        abort(404)
    return current_app.response_class(svg, mimetype="image/svg+xml")


@bp.route("/<reference>/break-glass", methods=["GET", "POST"])
@requires(Permission.CASE_BREAK_GLASS)
def break_glass(reference: str):
    """Emergency access with a written reason. Answers the same whether or not the case exists."""
    if request.method == "POST":
        step_up.demand()
    form = BreakGlassForm()
    if form.validate_on_submit():
        case = db.session.scalar(sa.select(Case).where(Case.reference == reference))
        if case is not None and operations.break_glass(case, current_user, form.reason.data):
            db.session.commit()
            flash(
                _("Emergency access granted for one hour. It is recorded and shown to supervisors."),
                "warning",
            )
            return redirect(url_for("cases.show", reference=reference))
        form.form_errors.append(_("Emergency access could not be granted for this reference."))
    status = 400 if request.method == "POST" else 200
    return render_template("cases/break_glass.html", reference=reference, form=form), status


@bp.route("/<reference>/erase", methods=["POST"])
@requires(Permission.CASE_ERASE)
def erase(reference: str):
    """Ask for erasure; it takes effect when a second supervisor of the owning agency approves."""
    case, seen = case_for_owning_supervisor(reference)
    step_up.demand()
    form = erase_form_for(case)
    if case.victim.erased_at is not None and not form.other_fields():
        flash(_("This person's personal data was already erased."), "info")
        return redirect(url_for("cases.show", reference=reference))
    if not form.validate_on_submit():
        return _render_case(case, seen, erase_form=form), 400
    return _done(
        reference,
        lambda: operations.request_erasure(
            case, form.reason.data, by=current_user, others=form.other_choices()
        ),
        _("Erasure requested. It takes effect when another supervisor of your agency approves it."),
    )


def _done(reference: str, operate, message: str):
    """Run one operation, commit and go back to the case; a refusal is flashed and nothing is kept."""
    try:
        operate()
    except operations.ErasureRefused as refused:
        db.session.rollback()
        flash(str(refused), "danger")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("cases.show", reference=reference))


@bp.route("/<reference>/legal-hold", methods=["POST"])
@requires(Permission.CASE_HOLD)
def set_legal_hold(reference: str):
    case, seen = case_for_owning_supervisor(reference)
    form = LegalHoldForm()
    if not form.validate_on_submit():
        flash(_("Choose the reason for the legal hold."), "danger")
        return redirect(url_for("cases.show", reference=reference))
    return _done(
        reference,
        lambda: operations.set_legal_hold(case, form.reason.data, current_user),
        _("Legal hold set: this person's data cannot be erased until it is lifted."),
    )


@bp.route("/<reference>/legal-hold/lift", methods=["POST"])
@requires(Permission.CASE_HOLD)
def lift_legal_hold(reference: str):
    case, seen = case_for_owning_supervisor(reference)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _done(reference, lambda: operations.lift_legal_hold(case, current_user), _("Legal hold lifted."))


def erase_form_for(case: Case, **kwargs) -> EraseForm:
    """The erasure form, with a choice for each person on the case whose data is not erased."""
    return erase_form(operations.other_people(case), **kwargs)


# -- assignment: who carries a case ------------------------------------------------------------------


@bp.app_template_global("assignable_workers")
def assignable_workers() -> list:
    """The people of the user's agency who may carry its cases (accepting a transfer offers them)."""
    return assignment.workers(current_user.agency_id)


@bp.route("/<reference>/take", methods=["POST"])
@requires(Permission.CASE_EDIT)
def take(reference: str):
    case, _seen = case_to_act_on(reference)
    form = TakeForm()
    if not form.validate_on_submit():
        return _assignment_refused(reference, form)
    return _assigned(
        reference,
        lambda: assignment.take(case, current_user, expected_version=form.version.data),
        _("The case is now yours: you carry it."),
    )


@bp.route("/<reference>/assign", methods=["POST"])
@requires(Permission.CASE_ASSIGN)
def assign(reference: str):
    case, _seen = case_or_404(reference)
    if not assignment.supervises(current_user, case):
        abort(403)
    form = assign_form(case)
    if not form.validate_on_submit():
        return _assignment_refused(reference, form)
    return _assigned(
        reference,
        lambda: assignment.assign(
            case,
            assignment.find_worker(form.user.data, case.owning_agency_id),
            current_user,
            expected_version=form.version.data,
        ),
        _("Assigned."),
    )


def _assignment_refused(reference: str, form):
    messages = form.form_errors + [m for errors in form.errors.values() for m in errors]
    flash(" ".join(str(m) for m in messages) or _("The form was not complete."), "danger")
    return redirect(url_for("cases.show", reference=reference, _anchor="assignment"))


def _assigned(reference: str, operate, message: str):
    """Run one assignment, commit and go back to the case; a refusal or a lost race changes nothing."""
    try:
        operate()
    except assignment.AssignmentRefused as refused:
        db.session.rollback()
        flash(_(refused.reason), "danger")
    except path.StaleCase:
        db.session.rollback()
        flash(
            _("Someone changed this case at the same moment. Check who carries it now, then try again."),
            "warning",
        )
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("cases.show", reference=reference, _anchor="assignment"))


@bp.route("/caseload")
@requires(Permission.CASE_ASSIGN)
def caseload():
    """Each worker's open cases, overdue and due soon, for the supervisor who hands them out."""
    return render_template("cases/caseload.html", loads=assignment.caseload(current_user.agency))
