"""The statistics table: every indicator's rows, stored per case, kept exact as records change.

Counting the base tables for a province-year at 1,000,000 cases joins cases, victims and stage
events for every indicator on every request (15 s for the dashboard). ``report_facts`` holds what
``sources`` selects, one row per counted unit, so a figure is one range scan of one narrow table.

Exactness: whenever a flush writes a row that anything is counted from (a case, its victim, a step,
a service, a lodging extension, an assessment, a measure, a referral, a follow-up), the case it
belongs to is noted, and before the transaction commits that case's rows are rewritten from the
same SELECTs figures would run; so the table changes in the same transaction as what it counts, and
a rollback undoes both. Bulk inserts through the session (the import) are noted from their
parameters. Any other bulk UPDATE or DELETE of those tables marks the table stale, and figures then
count the base tables until ``flask reports rebuild``. Figures also fall back when the table was
built by another version of this code or with other time limits (``STAGE_TIME_LIMITS``,
``SUPPORT_LODGING_DAYS``).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import g, has_app_context
from sqlalchemy.orm import Session

from victimcare.database import utcnow
from victimcare.extensions import db
from victimcare.reports import sources
from victimcare.reports.indicators import INDICATORS, Indicator, Source
from victimcare.reports.models import ReportFact, ReportFactsState

# Bump when what a source selects changes: stored rows of an older version are then never read.
VERSION = 1
OPEN = date(9999, 12, 31)  # a spell's until_day while the case is still in the stage: keeps it in range scans
CHUNK = 500  # cases per rewrite: keeps IN lists within every database's parameter limits
NOTED = "report_facts_cases"
STALE = "report_facts_stale"
STATE_ID = 1


def ready() -> bool:
    """Whether figures may read the statistics table (cached for the request or command)."""
    cache = g if has_app_context() else None
    if cache is not None and "report_facts_ready" in cache:
        return cache.report_facts_ready
    state = db.session.get(ReportFactsState, STATE_ID)
    current = state is not None and state.version == VERSION and state.limits == sources.limits()
    if cache is not None:
        cache.report_facts_ready = current
    return current


def _forget_readiness() -> None:
    if has_app_context():
        g.pop("report_facts_ready", None)


def rebuild() -> int:
    """Rewrite every row, then mark the table current; returns the number of rows."""
    session = db.session
    session.execute(sa.delete(ReportFact))
    for indicator in INDICATORS:
        session.execute(sa.insert(ReportFact).from_select(_NAMES, _select(indicator, None)))
    count = session.scalar(sa.select(sa.func.count()).select_from(ReportFact)) or 0
    state = session.get(ReportFactsState, STATE_ID)
    if state is None:
        state = ReportFactsState(id=STATE_ID)
        session.add(state)
    state.version, state.limits, state.built_at = VERSION, sources.limits(), utcnow()
    session.flush()
    _forget_readiness()
    return count


def rewrite(session: Session, changes: dict) -> None:
    """Rewrite, from the base tables, the rows of these cases that come from these sources.

    ``changes`` maps a case to the sources a write touched (``ALL`` for the case or its person:
    every breakdown reads them). Cases touched alike go together: one DELETE and one INSERT … SELECT
    of all their sources' rows (UNION ALL) per chunk, so a step costs two statements, compiled once
    per process (building them costs more than running them). A deleted case loses its rows.
    """
    groups: dict[frozenset, list] = {}
    for case_id, touched in changes.items():
        groups.setdefault(frozenset(touched), []).append(case_id)
    for touched, case_ids in groups.items():
        delete, insert = _statements(session, touched)
        ids = sorted(case_ids)
        for first in range(0, len(ids), CHUNK):
            chunk = {sources.CASE_IDS: ids[first : first + CHUNK]}
            session.execute(delete, chunk)
            session.execute(insert, chunk)


_COMPILED: dict[tuple, tuple[sa.TextClause, sa.TextClause]] = {}


def _statements(session: Session, touched: frozenset) -> tuple[sa.TextClause, sa.TextClause]:
    """The DELETE and INSERT … SELECT for cases touched in these sources, as SQL text whose one
    parameter, ``:case_ids``, expands to the cases; cached per database and settings."""
    dialect = session.get_bind().dialect
    key = (dialect.name, touched, tuple(sorted(sources.limits().items())))
    if key not in _COMPILED:
        indicators = [i for i in INDICATORS if i.source in touched]
        delete = sa.delete(ReportFact).where(
            ReportFact.case_id.op("IN")(sa.literal_column(f":{sources.CASE_IDS}")),
            ReportFact.indicator.in_([i.code for i in indicators]),
        )
        insert = sa.insert(ReportFact).from_select(
            _NAMES, sa.union_all(*(_select(i, sources.CASE_IDS) for i in indicators))
        )
        _COMPILED[key] = (_text(delete, dialect), _text(insert, dialect))
    return _COMPILED[key]


def _text(statement, dialect) -> sa.TextClause:
    sql = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    return sa.text(sql).bindparams(sa.bindparam(sources.CASE_IDS, expanding=True, type_=sa.Uuid))


def mark_stale(session: Session) -> None:
    session.execute(sa.delete(ReportFactsState))
    _forget_readiness()


_NAMES = [
    "indicator",
    "case_id",
    "agency_id",
    "day",
    *sources.EXTRA_COLUMNS,
    *(b.value for b in sources.STORED_BREAKDOWNS),
]


def _select(indicator: Indicator, cases) -> sa.Select:
    """An indicator's source rows as the table's columns, their moment turned into a local day.

    Columns the source lacks are typed NULLs, so several sources can share one UNION ALL.
    """
    query, timed = sources.select_for(indicator, cases=cases)
    rows = query.subquery("source")
    table = ReportFact.__table__
    values = [sa.literal(indicator.code, sa.String), rows.c.case_id, rows.c.agency_id]
    values.append(sources.local_day(rows.c.moment) if timed else rows.c.moment)
    values += [rows.c[n] if n in rows.c else sa.cast(sa.null(), table.c[n].type) for n in _NAMES[4:]]
    if indicator.snapshot:
        values[_NAMES.index("until_day")] = sa.func.coalesce(rows.c.until_day, sa.literal(OPEN, sa.Date))
    return sa.select(*values)


# -- keeping the table exact ----------------------------------------------------------------------

ALL = frozenset(Source)
# What a write to each table can change: a case and its person feed every breakdown; a service also
# decides whether an identified victim "received support" (a fact of the step).
_SOURCES_OF = {
    "cases": ALL,
    "victims": ALL,
    "stage_events": frozenset({Source.STEP, Source.SPELL, Source.OVERDUE, Source.VERIFICATION_LIMIT}),
    "support_services": frozenset({Source.SUPPORT, Source.DECISION_LIMIT, Source.LODGING_LIMIT, Source.STEP}),
    "lodging_extensions": frozenset({Source.LODGING_LIMIT}),
    "risk_assessments": frozenset({Source.REFUSAL}),
    "protection_measures": frozenset({Source.MEASURE}),
    "referrals": frozenset({Source.REFERRAL, Source.ANSWER, Source.ANSWER_LIMIT}),
    "follow_ups": frozenset({Source.FOLLOW_UP}),
}
_CASE_OWNED = set(_SOURCES_OF) - {"cases", "victims", "lodging_extensions"}
# A person's clear coded facts that breakdowns read (sources.person_facts); their other columns count for nothing.
_PERSON_FACTS = ("gender", "birth_year", "is_ethnic_minority", "province_code")


def _cases_of(session: Session, obj) -> set:
    """The cases whose counted rows a written object can change."""
    table = obj.__tablename__
    if table == "cases":
        return {obj.id}
    if table in _CASE_OWNED:
        found = {obj.case_id}
        history = sa.inspect(obj).attrs.case_id.history  # a row moved to another case changes both
        found.update(history.deleted or ())
        return found
    if table == "lodging_extensions":
        return {obj.service.case_id} if obj.service is not None else set()
    if table == "victims" and obj not in session.new and _counted_facts_changed(obj):
        from victimcare.cases.models import Case

        with session.no_autoflush:
            return set(session.scalars(sa.select(Case.id).where(Case.victim_id == obj.id)))
    return set()


def _counted_facts_changed(victim) -> bool:
    attrs = sa.inspect(victim).attrs
    return any(attrs[name].history.has_changes() for name in _PERSON_FACTS)


def _note(session: Session, case_ids, table: str) -> None:
    noted = session.info.setdefault(NOTED, {})
    for case_id in case_ids:
        if case_id is not None:
            noted[case_id] = noted.get(case_id, frozenset()) | _SOURCES_OF[table]


def _note_flushed(session: Session, flush_context) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__tablename__", None)
        if table in _SOURCES_OF:
            _note(session, _cases_of(session, obj), table)


def _note_bulk(state) -> None:
    """Core INSERT/UPDATE/DELETE through the session: note inserted cases, or mark the table stale."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    name = getattr(getattr(state.statement, "table", None), "name", None)
    if name not in _SOURCES_OF:
        return
    params = state.parameters
    rows = params if isinstance(params, list) else [params] if params else []
    key = {"cases": "id"}.get(name, "case_id")
    if state.is_insert and rows and name != "lodging_extensions" and all(key in row for row in rows):
        _note(state.session, (row[key] for row in rows), name)
    elif not (state.is_insert and name == "victims"):  # a new person is counted through their case
        state.session.info[STALE] = True


def _rewrite_noted(session: Session) -> None:
    session.flush()
    noted = session.info.pop(NOTED, {})
    if session.info.pop(STALE, False):
        mark_stale(session)
    elif noted:
        rewrite(session, noted)


def _forget_noted(session: Session) -> None:
    session.info.pop(NOTED, None)
    session.info.pop(STALE, None)


def init_app(app) -> None:
    """Keep the statistics table in step with every commit that changes what it counts."""
    from victimcare.database import listen

    listen(Session, "after_flush", _note_flushed)
    listen(Session, "do_orm_execute", _note_bulk)
    listen(Session, "before_commit", _rewrite_noted)
    listen(Session, "after_rollback", _forget_noted)
