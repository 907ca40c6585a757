"""Case pages: the list and search, intake, the case page and erasure.

Searches are POSTed, so a name or number typed in never lands in a URL, a log or a history.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from victimcare import access
from victimcare.access import Permission, requires
from victimcare.cases import operations
from victimcare.cases.forms import EraseForm, IntakeForm, SearchForm
from victimcare.cases.models import Case
from victimcare.extensions import db

bp = Blueprint("cases", __name__, url_prefix="/cases")
PAGE_SIZE = 50


def get_case_or_404(reference: str) -> Case:
    """The case if this user may know it exists; otherwise 404, as if there were none."""
    case = db.session.scalar(sa.select(Case).where(Case.reference == reference))
    if case is None or not access.can_see_case(current_user, case):
        abort(404)
    return case


def _preload_keys(cases) -> None:
    current_app.extensions["victimcare.vault"].preload(db.session, [c.victim_id for c in cases])


@bp.route("", methods=["GET", "POST"])
@requires(Permission.CASE_LIST)
def index():
    form = SearchForm()
    if form.validate_on_submit():
        cases = operations.search_cases(current_user, form.kind.data, form.q.data)
        return render_template("cases/index.html", form=form, cases=cases, searched=True, page=1, pages=1)
    page = max(request.args.get("page", 1, type=int), 1)
    query = sa.select(Case).where(access.visible_cases(current_user))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    cases = db.session.scalars(
        query.order_by(Case.created_at.desc(), Case.reference.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).unique().all()
    _preload_keys(cases)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    status = 400 if request.method == "POST" else 200
    return render_template("cases/index.html", form=form, cases=cases, searched=False, page=page, pages=pages,
                           total=total), status


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.CASE_CREATE)
def new():
    form = IntakeForm()
    duplicates = []
    if form.validate_on_submit():
        victim = operations.new_victim(form.victim_data())
        duplicates = operations.find_possible_duplicates(victim)
        if not duplicates or form.confirm_new_person.data:
            db.session.add(victim)
            case = operations.open_case(victim=victim, agency=current_user.agency, created_by=current_user)
            db.session.commit()
            flash(_("Case %(ref)s has been opened.", ref=case.reference), "success")
            return redirect(url_for("cases.show", reference=case.reference))
        visible = {d.case.id for d in duplicates if access.can_see_case(current_user, d.case)}
        return render_template("cases/new.html", form=form, duplicates=duplicates, visible=visible), 409
    status = 400 if request.method == "POST" else 200
    return render_template("cases/new.html", form=form, duplicates=[], visible=set()), status


@bp.route("/<reference>")
@requires(Permission.CASE_VIEW)
def show(reference: str):
    case = get_case_or_404(reference)
    erase_form = EraseForm() if access.has_permission(current_user, Permission.CASE_ERASE) else None
    return render_template("cases/show.html", case=case, victim=case.victim, erase_form=erase_form)


@bp.route("/<reference>/erase", methods=["POST"])
@requires(Permission.CASE_ERASE)
def erase(reference: str):
    case = get_case_or_404(reference)
    form = EraseForm()
    if case.victim.erased_at is not None:
        flash(_("This person's personal data was already erased."), "info")
        return redirect(url_for("cases.show", reference=reference))
    if not form.validate_on_submit():
        return render_template("cases/show.html", case=case, victim=case.victim, erase_form=form), 400
    operations.erase_person(case, form.reason.data, by=current_user)
    db.session.commit()
    flash(_("The person's personal data has been erased; the case's statistics remain."), "success")
    return redirect(url_for("cases.show", reference=reference))
