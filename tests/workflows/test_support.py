"""Support eligibility and time limits without Flask: one test per row of the rule table, the limits on a
frozen calendar with a weekend and public holidays."""

from datetime import date

import pytest

from workflows.support import (
    Beneficiary,
    Due,
    SupportType,
    beneficiary_status,
    decision_due,
    eligible_types,
    follow_up_schedule,
    lodging_limit,
    offers,
    standing,
)

LETTER = {
    "a": SupportType.ESSENTIAL_NEEDS,
    "b": SupportType.MEDICAL,
    "c": SupportType.INTERPRETATION,
    "d": SupportType.LEGAL_COUNSELLING,
    "đ": SupportType.LEGAL_AID,
    "e": SupportType.TRAVEL_HOME,
    "g": SupportType.PSYCHOLOGICAL,
    "h": SupportType.SCHOOLING,
    "i": SupportType.VOCATIONAL,
    "k": SupportType.HARDSHIP,
}

# DOMAIN.md §4, written out by letter so the test reads like the law's table.
ROWS = [
    (Beneficiary.VICTIM, "a b c d đ e g h i k"),
    (Beneficiary.ACCOMPANYING_CHILD, "a b c d đ e g h"),
    (Beneficiary.UNDER_IDENTIFICATION_ABROAD, "a b c d"),
    (Beneficiary.UNDER_IDENTIFICATION_VN, "a b c d đ e g"),
    (Beneficiary.FOREIGN_VICTIM, "a b c d đ g"),
    (Beneficiary.RELATIVE, ""),
]


@pytest.mark.parametrize("status,letters", ROWS, ids=[s.value for s, _ in ROWS])
def test_each_status_is_offered_exactly_the_types_the_law_gives_it(status, letters):
    assert set(eligible_types(status, "2024")) == {LETTER[x] for x in letters.split()}
    refused = [o for o in offers(status, "2024") if not o.eligible]
    assert all(o.reason and o.reason.endswith(".") for o in refused), "every type not offered says why"
    assert len(offers(status, "2024")) == 10, "all ten types are listed, offered or not"


def test_a_person_under_identification_in_vietnam_gets_a_to_g_and_is_told_why_not_h_to_k():
    found = {o.letter: o for o in offers(Beneficiary.UNDER_IDENTIFICATION_VN, "2024")}
    assert [letter for letter, o in found.items() if o.eligible] == ["a", "b", "c", "d", "đ", "e", "g"]
    for letter in "hik":
        assert not found[letter].eligible
        assert "(a)–(g)" in found[letter].reason and "until identified" in found[letter].reason


def test_the_2011_regime_offers_no_interpretation_or_legal_counselling():
    found = {o.type: o for o in offers(Beneficiary.VICTIM, "2011")}
    assert (
        not found[SupportType.INTERPRETATION].eligible and "2011" in found[SupportType.INTERPRETATION].reason
    )
    assert not found[SupportType.LEGAL_COUNSELLING].eligible
    assert found[SupportType.HARDSHIP].eligible and found[SupportType.ESSENTIAL_NEEDS].eligible


@pytest.mark.parametrize(
    "role,identified,nationality,abroad,expected",
    [
        (None, True, "VN", False, Beneficiary.VICTIM),
        (None, True, "XX", False, Beneficiary.VICTIM),  # stateless resident
        (None, True, "CN", False, Beneficiary.FOREIGN_VICTIM),
        (None, False, "VN", False, Beneficiary.UNDER_IDENTIFICATION_VN),
        (None, False, "VN", True, Beneficiary.UNDER_IDENTIFICATION_ABROAD),
        ("accompanying_child", True, "VN", False, Beneficiary.ACCOMPANYING_CHILD),
        ("relative_at_risk", True, "VN", False, Beneficiary.RELATIVE),
        ("under_identification", True, "VN", False, Beneficiary.UNDER_IDENTIFICATION_VN),
    ],
)
def test_the_status_follows_from_the_case(role, identified, nationality, abroad, expected):
    assert (
        beneficiary_status(role=role, identified=identified, nationality=nationality, abroad=abroad)
        == expected
    )


NATIONAL_DAY = {date(2026, 9, 1), date(2026, 9, 2)}


def test_a_decision_is_due_on_the_ninth_working_day_skipping_the_weekend_and_holidays():
    applied = date(2026, 8, 28)  # a Friday, before the National Day holiday (Tue 1 and Wed 2 September)
    assert decision_due(applied, NATIONAL_DAY) == date(2026, 9, 14)
    assert decision_due(applied, set()) == date(2026, 9, 10)  # the holiday moves it by two days


def test_a_limit_is_due_then_due_soon_then_overdue_unless_met():
    limit = date(2026, 9, 14)
    assert standing(limit, today=date(2026, 8, 28), done=False) == Due.PENDING
    assert (
        standing(limit, today=date(2026, 9, 14), done=False) == Due.DUE_SOON
    )  # the last day is still in time
    assert standing(limit, today=date(2026, 9, 15), done=False) == Due.OVERDUE
    assert standing(limit, today=date(2026, 9, 15), done=True) == Due.MET
    assert standing(None, today=date(2026, 9, 15), done=False) == Due.MET


def test_essential_needs_last_120_days_unless_a_decision_extends_them():
    assert lodging_limit(date(2026, 1, 1)) == date(2026, 4, 30)  # day 1 is the start, day 120 the last
    assert lodging_limit(date(2026, 1, 1), extended_until=date(2026, 6, 30)) == date(2026, 6, 30)


def test_follow_ups_fall_on_the_same_day_of_later_months_or_the_months_last_day():
    assert follow_up_schedule(date(2026, 1, 31)) == [
        date(2026, 2, 28),
        date(2026, 4, 30),
        date(2026, 7, 31),
        date(2027, 1, 31),
    ]


def test_the_support_rules_import_no_flask_and_no_database():
    import ast
    from pathlib import Path

    import workflows.support as module

    tree = ast.parse(Path(module.__file__).read_text())
    imported = {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    imported |= {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert imported <= {
        "__future__",
        "calendar",
        "collections",
        "dataclasses",
        "datetime",
        "enum",
        "workflows",
    }, imported
