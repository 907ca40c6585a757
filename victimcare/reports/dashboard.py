"""What the dashboard and the periodic report show: figures made safe to publish for their reader.

Inside the owning agency counts are exact. Anything else (a province's figures, the steering
committee, every export) goes through ``suppression.protect``: small counts read "<10", the cells
that would give them away are hidden too, and no percentage is built on a hidden count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from victimcare.reports import figures
from victimcare.reports.indicators import INDICATORS, Breakdown, Indicator
from victimcare.reports.periods import Period
from victimcare.reports.suppression import protect


@dataclass(frozen=True)
class Count:
    """One published count: ``value`` is None where it is hidden."""

    value: int | None
    threshold: int

    @property
    def hidden(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        return f"<{self.threshold}" if self.value is None else str(self.value)


@dataclass
class Row:
    key: str
    count: Count
    percent: float | None  # None: no total, or built on a hidden count


@dataclass
class Table:
    """A breakdown (or a trend by month): rows that add up to ``total``."""

    by: str
    rows: list[Row]
    total: Count
    additive: bool = True  # False for counts at each month's end: their sum means nothing, so none is shown

    @property
    def has_hidden(self) -> bool:
        return self.total.hidden or any(row.count.hidden for row in self.rows)


@dataclass
class Tile:
    indicator: Indicator
    now: Count
    before: Count
    year_earlier: Count
    share: float | None = None  # against the indicator's target; None when there is none or it is hidden
    median: float | None = None  # the indicator's median (hours to answer); None when none or hidden

    @property
    def trend(self) -> str | None:
        """up, down or same against the previous period; None when either is hidden."""
        if self.now.hidden or self.before.hidden:
            return None
        return (
            "up"
            if self.now.value > self.before.value
            else "down"
            if self.now.value < self.before.value
            else "same"
        )


@dataclass
class Dashboard:
    period: Period
    protected: bool
    threshold: int
    tiles: list[Tile]
    indicator: Indicator
    trend: Table
    breakdowns: list[Table] = field(default_factory=list)


def table(by: str, counts: dict[str, int], threshold: int, protected: bool, additive: bool = True) -> Table:
    """Protect a one-column table and attach shares of the total (none for a table that does not add up)."""
    keys = list(counts)
    grid = protect([[counts[k]] for k in keys], threshold if protected else 1)
    total = Count(grid.shown(len(keys), 0), threshold)
    rows = []
    for index, key in enumerate(keys):
        count = Count(grid.shown(index, 0), threshold)
        share = None
        if additive and not count.hidden and not total.hidden and total.value:
            share = round(100 * count.value / total.value, 1)
        rows.append(Row(key, count, share))
    return Table(by, rows, total, additive)


def target_share(indicator: Indicator, rows: dict[str, int], threshold: int, protected: bool) -> float | None:
    """The share of the target's row in the total, unless either count would be hidden."""
    protected_rows = table(indicator.target.by, rows, threshold, protected).rows
    hit = next(row for row in protected_rows if row.key == indicator.target.value)
    return hit.percent


def single(value: int, threshold: int, protected: bool) -> Count:
    """A total shown on its own (a tile): hidden when it is small and the reader is outside."""
    return Count(None if protected and 0 < value < threshold else value, threshold)


def median(
    indicator: Indicator,
    scope: figures.Scope,
    period: Period,
    today: date,
    count: int,
    threshold: int,
    protected: bool,
) -> float | None:
    """The indicator's median, unless it rests on fewer units than the threshold and the reader is outside."""
    if indicator.median is None or (protected and count < threshold):
        return None
    return figures.median(indicator, scope, period, today)


def build(
    scope: figures.Scope, period: Period, indicator: Indicator, today: date, threshold: int
) -> Dashboard:
    protected = not scope.own_agency
    tiles = []
    for each in INDICATORS:
        now, before, earlier = figures.totals(
            each, scope, (period, period.previous(), period.year_earlier()), today
        )
        tile = Tile(each, *(single(n, threshold, protected) for n in (now, before, earlier)))
        tile.median = median(each, scope, period, today, now, threshold, protected)
        tiles.append(tile)
    months = figures.by_month(indicator, scope, period, today)
    trend = table("month", months, threshold, protected, additive=not indicator.snapshot)
    counted = figures.breakdowns(indicator, indicator.breakdowns, scope, period, today)
    for tile in tiles:
        target = tile.indicator.target
        if target is not None:
            rows = (
                counted[target.by]
                if tile.indicator is indicator
                else figures.breakdown(tile.indicator, target.by, scope, period, today)
            )
            tile.share = target_share(tile.indicator, rows, threshold, protected)
    breakdowns = [table(by, counted[by], threshold, protected) for by in indicator.breakdowns]
    return Dashboard(period, protected, threshold, tiles, indicator, trend, breakdowns)


def all_tables(
    scope: figures.Scope, period: Period, today: date, threshold: int
) -> list[tuple[Indicator, list[Table], float | None]]:
    """Every indicator with every breakdown, and its median if it has one: the periodic report's
    content (always protected)."""
    found = []
    for each in INDICATORS:
        counted = figures.breakdowns(each, each.breakdowns, scope, period, today)
        tables = [table(by, counted[by], threshold, True) for by in each.breakdowns]
        count = sum(counted[each.breakdowns[0]].values())
        found.append((each, tables, median(each, scope, period, today, count, threshold, True)))
    return found


__all__ = ["Breakdown", "Count", "Dashboard", "Row", "Table", "Tile", "build", "all_tables", "table"]
