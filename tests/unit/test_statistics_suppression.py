"""No cell below the threshold survives; no hidden cell can be worked out from the totals."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import example, given, settings
from hypothesis import strategies as st

from sendiass_desktop.domain.statistics import (
    PRIMARY_MARK,
    SECONDARY_MARK,
    CellState,
    suppress,
    with_totals,
)


def _rank(rows: list[list[Fraction]]) -> int:
    m = [r[:] for r in rows]
    rank, col = 0, 0
    width = len(m[0]) if m else 0
    while rank < len(m) and col < width:
        pivot = next((i for i in range(rank, len(m)) if m[i][col] != 0), None)
        if pivot is None:
            col += 1
            continue
        m[rank], m[pivot] = m[pivot], m[rank]
        for i in range(len(m)):
            if i != rank and m[i][col] != 0:
                f = m[i][col] / m[rank][col]
                m[i] = [a - f * b for a, b in zip(m[i], m[rank], strict=True)]
        rank += 1
        col += 1
    return rank


def determined_hidden_cells(grid: list[list[int]], hidden: set[tuple[int, int]]) -> set:  # type: ignore[type-arg]
    """An independent check (by matrix rank, not the product's own method).

    Unknowns are the hidden cells; each row and column (totals included)
    gives one equation. Unknown i is determined exactly when removing its
    column lowers the rank of the coefficient matrix, i.e. every solution
    agrees on it.
    """
    unknowns = sorted(hidden)
    n_rows, n_cols = len(grid), len(grid[0])
    lines = [[(r, c) for c in range(n_cols)] for r in range(n_rows)]
    lines += [[(r, c) for r in range(n_rows)] for c in range(n_cols)]
    matrix: list[list[Fraction]] = []
    for line in lines:
        *parts, total = line
        matrix.append([Fraction(1 if u in parts else -1 if u == total else 0) for u in unknowns])
    if not unknowns:
        return set()
    full = _rank(matrix)
    out = set()
    for i, cell in enumerate(unknowns):
        # x_i is determined iff e_i is in the row space iff rank([A; e_i]) == rank(A).
        unit = [Fraction(1 if j == i else 0) for j in range(len(unknowns))]
        if _rank([*matrix, unit]) == full:
            out.add(cell)
    return out


def test_small_counts_are_shown_as_less_than_five_and_zero_as_zero() -> None:
    t = suppress([[0, 3, 10], [7, 12, 9]], ["Primary", "Secondary"], ["A", "B", "C"])
    assert t.shown(0, 0) == "0"
    assert t.shown(0, 1) == PRIMARY_MARK
    assert t.row_labels[-1] == "Total" and t.column_labels[-1] == "Total"
    # Row 0 had one hidden cell, so a second one is hidden with it.
    assert sum(s is not CellState.SHOWN for s in t.states[0]) >= 2


def test_a_single_suppressed_cell_cannot_be_subtracted_out() -> None:
    counts = [[2, 10, 10], [10, 10, 10], [10, 10, 10]]
    t = suppress(counts, ["r1", "r2", "r3"], ["a", "b", "c"])
    grid = with_totals(counts)
    hidden = {(r, c) for r, row in enumerate(t.states) for c, s in enumerate(row)
              if s is not CellState.SHOWN}
    assert determined_hidden_cells(grid, hidden) == set()
    assert any(s is CellState.SECONDARY for row in t.states for s in row)
    assert SECONDARY_MARK in {x for row in t.cells for x in row}


def test_rounding_to_five() -> None:
    t = suppress([[12, 23], [0, 47]], ["x", "y"], ["a", "b"], round_to_5=True)
    assert t.shown(0, 0) == "10" and t.shown(0, 1) == "25" and t.shown(1, 0) == "0"
    assert t.shown(1, 1) == "45"


counts_tables = st.integers(1, 5).flatmap(
    lambda w: st.lists(st.lists(st.integers(0, 30), min_size=w, max_size=w),
                       min_size=1, max_size=5)
)


@settings(max_examples=300, deadline=None)
@given(counts_tables, st.booleans())
# Found by hypothesis: two hidden cells per line, yet solvable across lines.
@example(counts=[[0, 0, 0, 1, 0], [0, 0, 0, 1, 1], [0, 0, 1, 5, 1]], round_to_5=False)
def test_no_small_cell_survives_and_nothing_hidden_is_recoverable(
        counts: list[list[int]], round_to_5: bool) -> None:
    labels_r = [f"r{i}" for i in range(len(counts))]
    labels_c = [f"c{i}" for i in range(len(counts[0]))]
    t = suppress(counts, labels_r, labels_c, round_to_5=round_to_5)
    grid = with_totals(counts)
    hidden = set()
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            shown = t.shown(r, c)
            if 0 < value < 5:
                assert shown == PRIMARY_MARK  # no cell below the threshold survives
            if shown not in (PRIMARY_MARK, SECONDARY_MARK):
                assert int(shown) == 0 or int(shown) >= 5
                assert value == 0 or value >= 5
            else:
                hidden.add((r, c))
    assert determined_hidden_cells(grid, hidden) == set()
