"""The statistics dashboard: tiles, a monthly trend and breakdowns for a period and jurisdiction.

Load the reader's jurisdictions (``access.report_scopes``), read the period and indicator from the
query string (a bad one says so and falls back), build the figures, log the view, render.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from babel import Locale
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from victimcare import access
from victimcare.access import Permission, ReportScope, requires
from victimcare.accounts import step_up
from victimcare.accounts.models import Agency, AgencyKind
from victimcare.audit import operations as audit
from victimcare.extensions import db
from victimcare.i18n import format_day
from victimcare.labels import label
from victimcare.provinces import province_name
from victimcare.reports import dashboard, figures, operations, periods, xlsx
from victimcare.reports.forms import ApproveForm, ExportForm
from victimcare.reports.indicators import BREAKDOWN_LABELS, BY_CODE, INDICATORS, VALUE_LABELS, Breakdown
from vocabulary import AuditAction, ObjectType

bp = Blueprint("reports", __name__, url_prefix="/reports")

PRESETS = (
    periods.PeriodKind.MONTH,
    periods.PeriodKind.QUARTER,
    periods.PeriodKind.HALF_YEAR,
    periods.PeriodKind.YEAR,
)


def _enum_labels():
    from victimcare.cases.models import Exploitation, Gender, IntakeChannel
    from victimcare.support.models import Measure
    from workflows.referral import ReferralKind, ReferralStatus
    from workflows.support import Beneficiary, SupportType
    from workflows.victim_path import ClosureReason, Stage

    return {
        Breakdown.SEX: Gender,
        Breakdown.CHANNEL: IntakeChannel,
        Breakdown.EXPLOITATION: Exploitation,
        Breakdown.CLOSURE_REASON: ClosureReason,
        Breakdown.SUPPORT_TYPE: SupportType,
        Breakdown.BENEFICIARY: Beneficiary,
        Breakdown.MEASURE: Measure,
        Breakdown.RECEIVER_KIND: AgencyKind,
        Breakdown.REFERRAL_STATUS: ReferralStatus,
        Breakdown.REFERRAL_KIND: ReferralKind,
        Breakdown.STAGE: Stage,
    }


@bp.app_template_filter("report_indicator_label")
def indicator_label(code: str) -> str:
    return _(BY_CODE[code].label) if code in BY_CODE else code


def value_label(by: str, value: str, agencies: dict[str, str]) -> str:
    """A breakdown row's name in the reader's language: enum labels, agency names, country names."""
    if value in VALUE_LABELS:
        return _(VALUE_LABELS[value])
    if by == Breakdown.AGENCY:
        return agencies.get(value, value)
    if by == Breakdown.PROVINCE:
        return province_name(value) or value
    if by == Breakdown.DESTINATION:
        return Locale.parse(str(get_locale())).territories.get(value, value)
    if by == "month":
        year, month = value.split("-")
        return f"{month}/{year}"
    if by == Breakdown.ROUTE and ">" in value:
        sender, receiver = (
            value_label(Breakdown.RECEIVER_KIND, kind, agencies) for kind in value.split(">", 1)
        )
        return _("from %(sender)s to %(receiver)s", sender=sender, receiver=receiver)
    enum_cls = _enum_labels().get(by)
    if enum_cls is not None:
        try:
            return label(enum_cls(value))
        except ValueError:
            pass
    return value


@dataclass
class Request:
    """What a statistics page is about: the period, the jurisdiction and its agencies, the indicator."""

    period: periods.Period
    scope_name: ReportScope
    scope: figures.Scope
    scopes: list
    indicator: object
    errors: list
    today: date

    @property
    def key(self) -> str:
        return operations.scope_key(current_user, self.scope_name)


def _request(values) -> Request:
    """Read period, jurisdiction and indicator from ``values``; a bad one says so and falls back."""
    scopes = access.report_scopes(current_user)
    if not scopes:
        abort(403)
    today = periods.local_today()
    errors = []
    default = periods.containing(periods.PeriodKind.QUARTER, today)
    try:
        period = periods.parse(values.get("period") or default.code)
    except periods.PeriodError as error:
        errors.append(_(str(error)))
        period = default
    chosen = values.get("scope", "")
    scope_name = ReportScope(chosen) if chosen in {s.value for s in scopes} else next(iter(scopes))
    agency_ids, exact = scopes[scope_name]
    indicator = BY_CODE.get(values.get("indicator", ""), INDICATORS[0])
    return Request(
        period, scope_name, figures.Scope(agency_ids, exact), list(scopes), indicator, errors, today
    )


def _labeller(scope: figures.Scope):
    agencies = {
        a.code: a.name for a in db.session.scalars(sa.select(Agency).where(Agency.id.in_(scope.agency_ids)))
    }
    return lambda by, value: value_label(by, value, agencies)


@bp.route("")
@requires(Permission.REPORTS_VIEW)
def index():
    asked = _request(request.args)
    return _render(
        asked, ExportForm(formdata=None, period=asked.period.code, scope=asked.scope_name.value)
    ), (400 if asked.errors else 200)


def _render(asked: Request, export_form: ExportForm, status_errors=()):
    threshold = current_app.config["REPORT_SMALL_CELL_THRESHOLD"]
    board = dashboard.build(asked.scope, asked.period, asked.indicator, asked.today, threshold)
    audit.record(
        AuditAction.VIEW,
        object_type=ObjectType.REPORT,
        detail={
            "period": asked.period.code,
            "scope": asked.key,
            "indicator": asked.indicator.code,
            "protected": board.protected,
        },
    )
    approval = operations.latest_approval(asked.key, asked.period)
    changes = []
    if approval is not None:
        changes = operations.changes_since(
            approval, operations.snapshot(asked.scope, asked.period, asked.today)
        )
    presets = [periods.containing(kind, asked.today) for kind in PRESETS]
    presets += [p.previous() for p in presets]
    can_approve = access.has_permission(current_user, Permission.REPORTS_APPROVE)
    return render_template(
        "reports/index.html",
        board=board,
        period=asked.period,
        scope=asked.scope_name,
        scopes=asked.scopes,
        indicators=INDICATORS,
        presets=presets,
        errors=[*asked.errors, *status_errors],
        breakdown_labels=BREAKDOWN_LABELS,
        value_label=_labeller(asked.scope),
        approval=approval,
        changes=changes,
        export_form=export_form,
        approve_form=ApproveForm(formdata=None, period=asked.period.code, scope=asked.scope_name.value)
        if can_approve
        else None,
        register=operations.register([asked.key]),
    )


@bp.route("/export", methods=["POST"])
@requires(Permission.REPORTS_VIEW)
@step_up.required
def export():
    """Release the periodic report as a file: always with small cells protected, registered and logged."""
    form = ExportForm()
    asked = _request(request.form)
    if asked.errors or not form.validate_on_submit():
        return _render(asked, form), 400
    threshold = current_app.config["REPORT_SMALL_CELL_THRESHOLD"]
    tables = dashboard.all_tables(asked.scope, asked.period, asked.today, threshold)
    labeller = _labeller(asked.scope)
    title = _title_lines(asked, threshold)
    if form.file_format.data == "pdf":
        from victimcare.reports import pdf

        content, mimetype = (
            pdf.document(title, _sheets(tables), labeller, _headings(), _("Total")),
            "application/pdf",
        )
    else:
        content = xlsx.workbook(title, _sheets(tables), labeller, _headings(), _("Total"))
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    operations.record_export(
        current_user, asked.key, asked.period, form.file_format.data, form.recipient.data, content
    )
    db.session.commit()
    filename = f"victimcare-{asked.period.code}-{asked.key.replace(':', '-')}.{form.file_format.data}"
    return current_app.response_class(
        content, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@bp.route("/approve", methods=["POST"])
@requires(Permission.REPORTS_APPROVE)
def approve():
    form = ApproveForm()
    asked = _request(request.form)
    if asked.errors or not form.validate_on_submit():
        return _render(
            asked, ExportForm(formdata=None, period=asked.period.code, scope=asked.scope_name.value)
        ), 400
    if asked.period.end > asked.today:
        errors = [_("A period can be approved only once it has ended.")]
        return _render(
            asked, ExportForm(formdata=None, period=asked.period.code, scope=asked.scope_name.value), errors
        ), 400
    operations.approve(current_user, asked.key, asked.scope, asked.period, asked.today)
    db.session.commit()
    flash(_("The figures of %(period)s are approved and frozen.", period=asked.period.code), "success")
    return redirect(url_for("reports.index", period=asked.period.code, scope=asked.scope_name.value))


def _headings() -> tuple[str, str, str]:
    return (_("Row"), _("Count"), "%")


def _sheets(tables):
    """(sheet name, title, [(caption, table)], notes) per indicator; a median is a note under its tables."""
    return [
        (
            indicator.code,
            _(indicator.label),
            [(_(BREAKDOWN_LABELS[t.by]), t) for t in indicator_tables],
            _notes(indicator, middle),
        )
        for indicator, indicator_tables, middle in tables
    ]


def _notes(indicator, middle) -> list[str]:
    notes = []
    if indicator.snapshot:
        notes.append(_("Counted on the last day of the period, from the stage each case was in then."))
    if indicator.median is not None:
        shown = _("not shown (fewer than the threshold, or none)") if middle is None else f"{middle:g}"
        notes.append(f"{_(indicator.median)}: {shown}")
    return notes


def _title_lines(asked: Request, threshold: int) -> list[str]:
    agency = current_user.agency
    where = (
        agency.name
        if asked.scope_name == ReportScope.AGENCY
        else _("Province %(code)s", code=agency.province_code)
    )
    return [
        _("Report on the prevention of human trafficking and support for victims"),
        _(
            "Period: %(period)s (%(start)s – %(end)s)",
            period=asked.period.code,
            start=format_day(asked.period.start),
            end=format_day(asked.period.last_day),
        ),
        _("Jurisdiction: %(where)s", where=where),
        _(
            "Prepared on %(day)s by %(name)s",
            day=format_day(asked.today),
            name=current_user.display_name,
        ),
        _(
            "Method: counts of the coded facts of each record (never personal data); periods in Vietnam's time; "
            "each step of a case counts once each time it is taken; an erased person still counts."
        ),
        _(
            'Protection: counts from 1 to %(n)d are shown as "<%(t)d", and other cells are hidden where '
            "they could be worked out from the totals; no percentage is given on a hidden count.",
            n=threshold - 1,
            t=threshold,
        ),
    ]
