"""Small-number suppression for service statistics (rule 7).

Follows Government Statistical Service practice:

* a true zero is shown as 0;
* counts of 1–4 are *primary* suppressed and shown as "<5";
* *secondary* suppression hides further cells so that no hidden cell can be
  worked out from the row and column totals: the table is treated with its
  totals as one grid of lines (each row and each column, totals included,
  must add up), and while any line has exactly one hidden cell another cell
  in that line is hidden too (the smallest non-zero visible one, preferring
  inner cells over totals);
* the line rule is not always enough (hidden cells can still be solved from
  several lines together), so the result is then checked by exact linear
  algebra: while any hidden cell's value is determined by the published
  numbers, one more cell next to it is hidden;
* optionally every visible count is rounded to the nearest 5.

Secondary-suppressed cells are shown as "c" (confidential) rather than "<5",
so the reader cannot tell they are larger than the primary ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction

THRESHOLD = 5
PRIMARY_MARK = "<5"
SECONDARY_MARK = "c"


class CellState(Enum):
    SHOWN = "shown"
    PRIMARY = "primary"
    SECONDARY = "secondary"


@dataclass(frozen=True)
class SuppressedTable:
    """A table ready to publish: labels, shown text, and which cells are hidden.

    ``cells`` includes the totals: the last row holds column totals and the
    last column row totals (the bottom-right cell is the grand total).
    """

    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    cells: tuple[tuple[str, ...], ...]
    states: tuple[tuple[CellState, ...], ...]

    def shown(self, row: int, column: int) -> str:
        return self.cells[row][column]


def _lines(n_rows: int, n_cols: int) -> list[list[tuple[int, int]]]:
    """Every row and column of the grid including totals: each must sum to its total."""
    lines = [[(r, c) for c in range(n_cols)] for r in range(n_rows)]
    lines += [[(r, c) for r in range(n_rows)] for c in range(n_cols)]
    return lines


def with_totals(counts: Sequence[Sequence[int]]) -> list[list[int]]:
    if not counts or not counts[0]:
        return [[0]]
    width = len(counts[0])
    if any(len(row) != width for row in counts):
        raise ValueError("every row needs the same number of columns")
    if any(v < 0 for row in counts for v in row):
        raise ValueError("counts cannot be negative")
    grid = [[*row, sum(row)] for row in counts]
    grid.append([sum(grid[r][c] for r in range(len(grid))) for c in range(width + 1)])
    return grid


def suppress(
    counts: Sequence[Sequence[int]],
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    *,
    round_to_5: bool = False,
    total_label: str = "Total",
) -> SuppressedTable:
    grid = with_totals(counts)
    n_rows, n_cols = len(grid), len(grid[0])
    state = [[CellState.PRIMARY if 0 < grid[r][c] < THRESHOLD else CellState.SHOWN
              for c in range(n_cols)] for r in range(n_rows)]

    def hidden(cell: tuple[int, int]) -> bool:
        return state[cell[0]][cell[1]] is not CellState.SHOWN

    def hide_one_more(line: list[tuple[int, int]]) -> bool:
        candidates = [cell for cell in line if not hidden(cell)]
        if not candidates:
            return False
        inner = [c for c in candidates if c[0] < n_rows - 1 and c[1] < n_cols - 1]
        # Prefer non-zero cells (a hidden true zero protects little), inner
        # cells before totals, and the smallest, to lose as little as possible.
        pool = ([c for c in inner if grid[c[0]][c[1]] > 0]
                or [c for c in candidates if grid[c[0]][c[1]] > 0]
                or inner or candidates)
        pick = min(pool, key=lambda c: (grid[c[0]][c[1]], c))
        state[pick[0]][pick[1]] = CellState.SECONDARY
        return True

    lines = _lines(n_rows, n_cols)
    while True:
        changed = False
        for line in lines:
            if sum(hidden(cell) for cell in line) == 1:
                changed |= hide_one_more(line)
        if changed:
            continue
        hidden_cells = {(r, c) for r in range(n_rows) for c in range(n_cols)
                        if hidden((r, c))}
        solvable = sorted(determined_cells(n_rows, n_cols, hidden_cells))
        if not solvable:
            break
        target = solvable[0]
        for line in lines:
            if target in line and hide_one_more(line):
                break
        else:  # pragma: no cover - every line through a cell has visible cells or all hidden
            break

    def text(r: int, c: int) -> str:
        s = state[r][c]
        if s is CellState.PRIMARY:
            return PRIMARY_MARK
        if s is CellState.SECONDARY:
            return SECONDARY_MARK
        value = grid[r][c]
        if round_to_5 and value:
            value = 5 * round(value / 5)
        return str(value)

    return SuppressedTable(
        row_labels=(*row_labels, total_label),
        column_labels=(*column_labels, total_label),
        cells=tuple(tuple(text(r, c) for c in range(n_cols)) for r in range(n_rows)),
        states=tuple(tuple(state[r][c] for c in range(n_cols)) for r in range(n_rows)),
    )


def determined_cells(n_rows: int, n_cols: int,
                     hidden: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Hidden cells whose values follow exactly from the visible cells and totals.

    Each line (row or column, totals included) is an equation over the hidden
    cells in it. A hidden cell is determined when its unit vector lies in the
    span of those equations (exact arithmetic with fractions).
    """
    unknowns = sorted(hidden)
    index = {cell: i for i, cell in enumerate(unknowns)}
    basis: list[tuple[int, list[Fraction]]] = []
    for line in _lines(n_rows, n_cols):
        *parts, total = line
        row = [Fraction(0)] * len(unknowns)
        for cell in parts:
            if cell in index:
                row[index[cell]] += 1
        if total in index:
            row[index[total]] -= 1
        _add_to_basis(basis, row)
    out = set()
    for cell, i in index.items():
        unit = [Fraction(1 if j == i else 0) for j in range(len(unknowns))]
        if not any(_reduce(basis, unit)):
            out.add(cell)
    return out


def _reduce(basis: list[tuple[int, list[Fraction]]], vector: list[Fraction]) -> list[Fraction]:
    v = vector[:]
    for pivot, b in basis:
        if v[pivot]:
            factor = v[pivot] / b[pivot]
            v = [x - factor * y for x, y in zip(v, b, strict=True)]
    return v


def _add_to_basis(basis: list[tuple[int, list[Fraction]]], row: list[Fraction]) -> None:
    v = _reduce(basis, row)
    lead = next((i for i, x in enumerate(v) if x), None)
    if lead is None:
        return
    # Keep the basis fully reduced on its pivots so one pass of _reduce suffices.
    for k, (pivot, b) in enumerate(basis):
        if b[lead]:
            factor = b[lead] / v[lead]
            basis[k] = (pivot, [x - factor * y for x, y in zip(b, v, strict=True)])
    basis.append((lead, v))
