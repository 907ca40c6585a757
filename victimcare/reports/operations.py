"""Approving a period's figures and releasing report files: each an audit event with its parameters.

The figures are counts over coded columns, so snapshots, hashes and the export register hold no
personal data. Operations flush; the view commits.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

import rfc8785
import sqlalchemy as sa

from victimcare.accounts.models import Agency, User
from victimcare.audit import operations as audit
from victimcare.extensions import db
from victimcare.reports import figures
from victimcare.reports.indicators import INDICATORS
from victimcare.reports.models import ReportApproval, ReportExport
from victimcare.reports.periods import Period
from vocabulary import AuditAction, ObjectType


def scope_key(user: User, scope_name: str) -> str:
    """A jurisdiction in the register and approvals: ``agency:<code>`` or ``province:<code>``."""
    agency: Agency = user.agency
    return f"agency:{agency.code}" if scope_name == "agency" else f"province:{agency.province_code}"


def snapshot(scope: figures.Scope, period: Period, today: date) -> dict:
    """Every indicator's exact counts per breakdown: what an approval freezes."""
    frozen = {}
    for indicator in INDICATORS:
        counted = figures.breakdowns(indicator, indicator.breakdowns, scope, period, today)
        frozen[indicator.code] = {by.value: counted[by] for by in indicator.breakdowns}
    return frozen


def digest(content: dict | bytes) -> str:
    data = content if isinstance(content, bytes) else rfc8785.dumps(content)
    return hashlib.sha256(data).hexdigest()


def approve(user: User, key: str, scope: figures.Scope, period: Period, today: date) -> ReportApproval:
    """Freeze the figures as they are now; the approval and its hash go to the log."""
    frozen = snapshot(scope, period, today)
    approval = ReportApproval(
        period=period.code, scope_key=key, figures=frozen, sha256=digest(frozen), approved_by_id=user.id
    )
    db.session.add(approval)
    db.session.flush()
    audit.record(
        AuditAction.APPROVE,
        actor=user,
        object_type=ObjectType.REPORT,
        object_id=approval.id,
        detail={"period": period.code, "scope": key, "sha256": approval.sha256},
    )
    return approval


def latest_approval(key: str, period: Period) -> ReportApproval | None:
    return db.session.scalar(
        sa.select(ReportApproval)
        .where(ReportApproval.scope_key == key, ReportApproval.period == period.code)
        .order_by(ReportApproval.approved_at.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class Change:
    indicator: str
    by: str
    key: str
    approved: int
    now: int


def changes_since(approval: ReportApproval, current: dict) -> list[Change]:
    """Every count that differs from the approved one (a row that appeared or vanished counts as 0)."""
    found = []
    for code, tables in current.items():
        for by, rows in tables.items():
            approved_rows = approval.figures.get(code, {}).get(by, {})
            for key in dict.fromkeys([*approved_rows, *rows]):
                before, now = approved_rows.get(key, 0), rows.get(key, 0)
                if before != now:
                    found.append(Change(code, by, key, before, now))
    return found


def record_export(
    user: User, key: str, period: Period, file_format: str, recipient: str, content: bytes
) -> ReportExport:
    """Register a released file (who, to whom, its hash) and log it."""
    export = ReportExport(
        period=period.code,
        scope_key=key,
        file_format=file_format,
        recipient=recipient,
        sha256=digest(content),
        exported_by_id=user.id,
    )
    db.session.add(export)
    db.session.flush()
    audit.record(
        AuditAction.EXPORT,
        actor=user,
        object_type=ObjectType.REPORT,
        object_id=export.id,
        detail={"period": period.code, "scope": key, "format": file_format, "sha256": export.sha256},
    )
    return export


def register(keys: list[str], limit: int = 50) -> list[ReportExport]:
    return list(
        db.session.scalars(
            sa.select(ReportExport)
            .where(ReportExport.scope_key.in_(keys))
            .order_by(ReportExport.exported_at.desc())
            .limit(limit)
        )
    )
