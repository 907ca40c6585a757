"""The statistics dashboard: tiles, a monthly trend and breakdowns for a period and jurisdiction.

Load the reader's jurisdictions (``access.report_scopes``), read the period and indicator from the
query string (a bad one says so and falls back), build the figures, log the view, render.
"""
from __future__ import annotations

from babel import Locale
from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from victimcare import access
from victimcare.access import Permission, ReportScope, requires
from victimcare.accounts.models import Agency, AgencyKind
from victimcare.audit import operations as audit
from victimcare.extensions import db
from victimcare.labels import label
from victimcare.reports import dashboard, figures, periods
from victimcare.reports.indicators import BREAKDOWN_LABELS, BY_CODE, INDICATORS, VALUE_LABELS, Breakdown

bp = Blueprint("reports", __name__, url_prefix="/reports")

PRESETS = (periods.PeriodKind.MONTH, periods.PeriodKind.QUARTER, periods.PeriodKind.HALF_YEAR, periods.PeriodKind.YEAR)


def _enum_labels():
    from victimcare.cases.models import Exploitation, Gender, IntakeChannel
    from victimcare.support.models import Measure
    from workflows.referral import ReferralStatus
    from workflows.support import Beneficiary, SupportType
    from workflows.victim_path import ClosureReason

    return {Breakdown.SEX: Gender, Breakdown.CHANNEL: IntakeChannel, Breakdown.EXPLOITATION: Exploitation,
            Breakdown.CLOSURE_REASON: ClosureReason, Breakdown.SUPPORT_TYPE: SupportType,
            Breakdown.BENEFICIARY: Beneficiary, Breakdown.MEASURE: Measure, Breakdown.RECEIVER_KIND: AgencyKind,
            Breakdown.REFERRAL_STATUS: ReferralStatus}


def value_label(by: str, value: str, agencies: dict[str, str]) -> str:
    """A breakdown row's name in the reader's language: enum labels, agency names, country names."""
    if value in VALUE_LABELS:
        return _(VALUE_LABELS[value])
    if by == Breakdown.AGENCY:
        return agencies.get(value, value)
    if by == Breakdown.DESTINATION:
        return Locale.parse(str(get_locale())).territories.get(value, value)
    if by == "month":
        year, month = value.split("-")
        return f"{month}/{year}"
    enum_cls = _enum_labels().get(by)
    if enum_cls is not None:
        try:
            return label(enum_cls(value))
        except ValueError:
            pass
    return value


@bp.route("")
@requires(Permission.REPORTS_VIEW)
def index():
    scopes = access.report_scopes(current_user)
    if not scopes:
        abort(403)
    today = periods.local_today()
    errors = []
    try:
        period = periods.parse(request.args.get("period") or periods.containing(periods.PeriodKind.QUARTER, today).code)
    except periods.PeriodError as error:
        errors.append(_(str(error)))
        period = periods.containing(periods.PeriodKind.QUARTER, today)
    chosen = request.args.get("scope", "")
    scope_name = ReportScope(chosen) if chosen in {s.value for s in scopes} else next(iter(scopes))
    agency_ids, exact = scopes[scope_name]
    indicator = BY_CODE.get(request.args.get("indicator", ""), INDICATORS[0])
    threshold = current_app.config["REPORT_SMALL_CELL_THRESHOLD"]
    board = dashboard.build(figures.Scope(agency_ids, exact), period, indicator, today, threshold)
    audit.record("view", object_type="report", detail={
        "period": period.code, "scope": str(scope_name), "indicator": indicator.code, "protected": board.protected})
    agencies = {a.code: a.name for a in db.session.query(Agency).filter(Agency.id.in_(agency_ids))}
    presets = [periods.containing(kind, today) for kind in PRESETS]
    presets += [p.previous() for p in presets]
    return render_template(
        "reports/index.html", board=board, period=period, scope=scope_name, scopes=list(scopes),
        indicators=INDICATORS, presets=presets, errors=errors, breakdown_labels=BREAKDOWN_LABELS,
        value_label=lambda by, value: value_label(by, value, agencies),
    ), 400 if errors else 200
