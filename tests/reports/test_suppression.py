"""Small-cell protection: no hidden count can be worked out from the published table."""

from hypothesis import given, settings
from hypothesis import strategies as st

from victimcare.reports.suppression import protect, recoverable

counts = st.one_of(st.just(0), st.integers(1, 9), st.integers(10, 500))
grids = st.integers(1, 6).flatmap(
    lambda width: st.lists(st.lists(counts, min_size=width, max_size=width), min_size=1, max_size=8)
)


@settings(max_examples=400, deadline=None)
@given(grids)
def test_no_suppressed_cell_can_be_recovered_by_subtraction_from_the_totals(cells):
    table = protect(cells, 10)
    for row in range(table.rows + 1):
        for column in range(table.columns + 1):
            value = table.value(row, column)
            if 0 < value < 10:
                assert (row, column) in table.hidden  # every small count is hidden, margins included
    assert not set(recoverable(table)) & table.hidden


def test_a_lone_small_cell_takes_the_next_smallest_of_its_row_and_column_with_it():
    table = protect([[3, 40, 25], [50, 60, 70]], 10)
    assert (0, 0) in table.hidden and (0, 2) in table.hidden and (1, 0) in table.hidden
    assert table.shown(0, 1) == 40 and table.shown(0, 3) == 68  # the row total stays: two cells are hidden
    assert recoverable(table) == {}


def test_zero_is_never_hidden_and_a_table_without_small_counts_is_shown_whole():
    table = protect([[0, 12], [15, 0]], 10)
    assert table.hidden == set()
    assert table.shown(2, 2) == 27


def test_the_attacker_of_the_test_really_recovers_an_unprotected_cell():
    table = protect([[3, 40]], 10)
    table.hidden = {(0, 0)}  # primary suppression alone, as a naive report would publish it
    assert recoverable(table) == {(0, 0): 3}
