"""``flask cases …``: import, search and erasure from the command line (for operators)."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from victimcare.accounts import operations as accounts
from victimcare.audit import operations as audit
from victimcare.cases import importing, operations
from victimcare.cases.models import Case
from victimcare.extensions import db
from vocabulary import AuditAction, ObjectType

cases_cli = AppGroup("cases", help="Import, search and erase cases.")


@cases_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--agency", "agency_code", required=True, help="Code of the agency that will own the cases.")
def import_cases(file: Path, agency_code: str):
    """Import FILE (.csv or .xlsx; columns as in victimcare/cases/import_template.csv)."""
    agency = accounts.find_agency(agency_code)
    if agency is None:
        raise click.BadParameter(f"no agency with code {agency_code!r}", param_hint="--agency")
    done = 0

    def progress(rows: int) -> None:
        nonlocal done
        done += rows
        click.echo(f"\r{done:,} row(s) checked and sealed", nl=False, err=True)

    try:
        count = importing.import_file(file, agency, progress=progress)
    except importing.ImportRefused as refused:
        db.session.rollback()
        click.echo(err=True)
        for error in refused.errors:
            click.echo(str(error), err=True)
        raise click.ClickException(
            f"{file.name}: {len(refused.errors)} problem(s); nothing was imported."
        ) from None
    click.echo(err=True)
    audit.record(
        AuditAction.CREATE,
        object_type=ObjectType.IMPORT,
        purpose="cli",
        detail={"rows": count, "agency": agency_code},
    )
    db.session.commit()
    click.echo(f"Imported {count} case(s) for {agency_code}.")


@cases_cli.command("search")
@click.option("--name")
@click.option("--id-number")
@click.option("--phone")
def search(name, id_number, phone):
    """Print the references and names of the cases of the person searched for."""
    given = [(k, v) for k, v in (("name", name), ("id_number", id_number), ("phone", phone)) if v]
    if len(given) != 1:
        raise click.UsageError("give exactly one of --name, --id-number, --phone")
    kind, term = given[0]
    cases = operations.search_cases(None, kind, term)
    audit.record(
        AuditAction.SEARCH,
        object_type=ObjectType.VICTIM,
        purpose="cli",
        detail={"index": kind, "results": len(cases)},
    )
    db.session.commit()  # logged before anything is printed
    for case in cases:
        click.echo(f"{case.reference}\t{case.victim.full_name}\t{case.owning_agency.code}\t{case.stage}")
    click.echo(f"{len(cases)} case(s) found.", err=True)


@cases_cli.command("erase")
@click.argument("reference")
@click.option("--reason", type=click.Choice([r.value for r in operations.ErasureReason]), required=True)
@click.option(
    "--person",
    "people",
    multiple=True,
    metavar="ROLE-N=erase|keep",
    help="What to do with each other person on the case, e.g. accompanying_child-1=keep (one each).",
)
@click.confirmation_option(
    prompt="This destroys the person's personal data in every case, for good. Continue?"
)
def erase(reference: str, reason: str, people: tuple[str, ...]):
    """Destroy the personal data of the person in case REFERENCE (their statistics remain)."""
    case = db.session.scalar(sa.select(Case).where(Case.reference == reference))
    if case is None:
        raise click.ClickException(f"no case {reference}")
    if operations.active_legal_hold(case) is not None:
        raise click.ClickException(f"a legal hold is on {reference}: its supervisor must lift it first")
    others = {p.key: p.case_person.id for p in operations.other_people(case)}
    choices = {}
    for item in people:
        key, _, choice = item.partition("=")
        if key not in others or choice not in set(operations.OtherPersonChoice):
            raise click.BadParameter(
                f"{item!r}: expected one of {sorted(others) or 'nobody'} =erase or =keep",
                param_hint="--person",
            )
        choices[others[key]] = choice
    try:
        operations.erase_person(case, reason, by=None, others=choices)
    except operations.ErasureDecisionsMissing as missing:
        raise click.ClickException(
            "other people on this case are data subjects of their own; decide for each with "
            + " ".join(f"--person {p.key}=erase|keep" for p in missing.people)
            + ". Nothing was erased."
        ) from None
    db.session.commit()
    click.echo(
        f"Erased the personal data of the person in {reference}."
        " Copies made before (backups) open nothing of it once its KEK is retired: see `flask keys status`."
    )


@cases_cli.command("overdue")
def overdue():
    """List open cases past their stage deadline, per agency (no personal data: for a daily cron)."""
    from victimcare.cases.path import overdue_cases

    current = None
    cases = overdue_cases()
    for case in cases:
        if case.owning_agency.code != current:
            current = case.owning_agency.code
            click.echo(f"{current}:")
        click.echo(f"  {case.reference}\t{case.stage.value}\tdue {case.stage_deadline:%Y-%m-%d %H:%M} UTC")
    click.echo(f"{len(cases)} overdue case(s).", err=True)


@cases_cli.command("seal-facts")
def seal_facts():
    """Seal step facts written in clear by versions before free text was sealed (run once after upgrading)."""
    from victimcare.cases.path import seal_free_text_facts

    changed = seal_free_text_facts()
    audit.record(
        AuditAction.UPDATE,
        object_type=ObjectType.STAGE_EVENT,
        purpose="cli",
        detail={"sealed_entries": changed},
    )
    db.session.commit()
    click.echo(f"Sealed the free-text facts of {changed} history entr{'y' if changed == 1 else 'ies'}.")
