"""Small-cell protection for figures that leave the owning agency (DOMAIN.md §6, DESIGN.md §10).

A count from 1 to ``threshold - 1`` could point at a person (Law 53/2024 Art 3(10) forbids disclosing
a victim without consent), so it is hidden ("primary" suppression). Hiding it alone is not enough:
with the row and column totals printed, a single hidden cell in a line is its total minus the rest.
So every line (a row or a column, its total included) that holds exactly one hidden entry gets a
second one — the smallest non-zero count left in it ("complementary" suppression) — until no line
has exactly one. Zero is never hidden: it points at nobody, and hiding it protects nothing.
Pure Python: the table is a grid of counts; the margins are computed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_THRESHOLD = 10


@dataclass
class ProtectedTable:
    """Counts with their margins and which of them may not be shown.

    Positions are ``(row, column)``; row ``len(cells)`` is the column totals, column
    ``len(cells[0])`` the row totals, and their corner the grand total.
    """

    cells: list[list[int]]
    hidden: set[tuple[int, int]] = field(default_factory=set)

    @property
    def rows(self) -> int:
        return len(self.cells)

    @property
    def columns(self) -> int:
        return len(self.cells[0]) if self.cells else 1

    def value(self, row: int, column: int) -> int:
        """Any position's true count, margins included (never to be printed unchecked)."""
        if row < self.rows and column < self.columns:
            return self.cells[row][column]
        if row < self.rows:
            return sum(self.cells[row])
        if column < self.columns:
            return sum(line[column] for line in self.cells)
        return sum(map(sum, self.cells))

    def shown(self, row: int, column: int) -> int | None:
        """The count as published: None where it is hidden."""
        return None if (row, column) in self.hidden else self.value(row, column)

    def lines(self) -> list[list[tuple[int, int]]]:
        """Each row and each column with its total: the sums a reader can check."""
        width, height = self.columns, self.rows
        rows = [[(r, c) for c in range(width + 1)] for r in range(height + 1)]
        columns = [[(r, c) for r in range(height + 1)] for c in range(width + 1)]
        return rows + columns


def protect(cells: list[list[int]], threshold: int = DEFAULT_THRESHOLD) -> ProtectedTable:
    """Hide small counts and enough others that none can be worked out from the totals."""
    table = ProtectedTable([list(row) for row in cells])
    if threshold <= 1:
        return table
    positions = [(r, c) for r in range(table.rows + 1) for c in range(table.columns + 1)]
    table.hidden = {p for p in positions if 0 < table.value(*p) < threshold}
    changed = True
    while changed:
        changed = False
        for line in table.lines():
            hidden = [p for p in line if p in table.hidden]
            if len(hidden) != 1:
                continue
            partner = _smallest_visible(table, line)
            if partner is not None:
                table.hidden.add(partner)
                changed = True
    return table


def _smallest_visible(table: ProtectedTable, line: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The smallest non-zero count still shown in a line, inner cells before its total."""
    candidates = [p for p in line if p not in table.hidden and table.value(*p) > 0]
    if not candidates:
        return None
    inner = [p for p in candidates if p[0] < table.rows and p[1] < table.columns]
    return min(inner or candidates, key=lambda p: (table.value(*p), p))


def recoverable(table: ProtectedTable) -> dict[tuple[int, int], int]:
    """What a reader can work out by subtraction from what is published (used by the tests).

    Repeatedly solves any line with exactly one unknown entry, as someone with the printed
    table and a calculator would.
    """
    known = {p: table.value(*p) for line in table.lines() for p in line if p not in table.hidden}
    solved: dict[tuple[int, int], int] = {}
    progress = True
    while progress:
        progress = False
        for line in table.lines():
            unknown = [p for p in line if p not in known]
            if len(unknown) != 1:
                continue
            target = unknown[0]
            total_position = line[-1]
            inner = line[:-1]
            if target == total_position:
                value = sum(known[p] for p in inner)
            else:
                value = known[total_position] - sum(known[p] for p in inner if p != target)
            known[target] = solved[target] = value
            progress = True
    return solved
