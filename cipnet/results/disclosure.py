"""Small-cell suppression of a published table of counts, with complementary suppression (issue 16,
open data). Pure: no database, no Django.

A table is a set of cells (non-negative integer counts) and additive relations between them, each
"these parts add up to that whole" (the values of a dimension to the total, centres to their region,
regions to the network, months to the whole programme, a ratio's numerator and the rest to its
denominator). Everyone who reads the published table knows the relations.

`suppress(cells, relations)` returns the cells that must not be shown:

1. **Primary**: every count from 1 to `SMALL` (4) — a few people in a village library could be told
   apart.
2. **Complementary**: while a relation has exactly one suppressed cell, the smallest non-zero cell of
   the relation still shown is suppressed too (a zero is chosen only when nothing else is left).
3. **Exact check**: the relations restricted to the suppressed cells (the shown ones are known
   numbers) are reduced by exact rational Gaussian elimination; a suppressed cell whose value that
   system fixes makes the smallest non-zero shown cell of its relations suppressed, one cell a round.
   Steps 2–3 repeat until nothing changes (a fixpoint: each round suppresses at least one more cell,
   so it ends).

**Guarantee.** On return, (a) no shown cell holds a count from 1 to `SMALL`, and (b) for every
suppressed cell there is a direction in which the suppressed cells can move together that keeps
every relation true and changes that cell: its value is not a function of the shown cells and the
relations (not even of all linear combinations of them). Since zeros are suppressed only when no
other complement exists, the suppressed cells are normally all positive and a small move keeps them
non-negative, so non-negativity does not pin the value either. Shown cells are never altered.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

#: Counts from 1 to this are never shown.
SMALL = 4

type CellKey = Hashable


@dataclass(frozen=True)
class Relation:
    """`whole` equals the sum of `parts`."""

    whole: CellKey
    parts: tuple[CellKey, ...]

    @property
    def cells(self) -> tuple[CellKey, ...]:
        return (self.whole, *self.parts)

    def coefficients(self) -> dict[CellKey, int]:
        """The relation as `sum(coefficient × value) == 0`."""
        out: dict[CellKey, int] = {self.whole: -1}
        for part in self.parts:
            out[part] = out.get(part, 0) + 1
        return out


def is_small(value: int) -> bool:
    return 1 <= value <= SMALL


def suppress(cells: Mapping[CellKey, int], relations: Sequence[Relation]) -> set[CellKey]:
    """The cells to leave empty (see the module's guarantee). Every cell a relation names must be in
    `cells`; values must be non-negative integers."""
    for relation in relations:
        for key in relation.cells:
            if key not in cells:
                raise KeyError(f"relation names an unknown cell: {key!r}")
    hidden = {key for key, value in cells.items() if is_small(value)}
    by_cell: dict[CellKey, list[Relation]] = {}
    for relation in relations:
        for key in relation.cells:
            by_cell.setdefault(key, []).append(relation)
    while True:
        _complete_lines(cells, relations, by_cell, hidden)
        determined = determined_cells(relations, hidden)
        if not determined:
            return hidden
        # One more cell a round (the determined cell's smallest shown complement), then look again:
        # a single cell usually frees several determined ones at once.
        choices = [
            (cells[choice] == 0, cells[choice], repr(choice), choice)
            for key in determined
            for relation in by_cell.get(key, [])
            if (choice := _complement(cells, relation, hidden)) is not None
        ]
        if not choices:  # every relation of a determined cell is already all hidden: cannot happen
            raise RuntimeError("suppression reached a determined cell with nothing left to hide")
        hidden.add(min(choices)[3])


def _complement(cells: Mapping[CellKey, int], relation: Relation, hidden: set[CellKey]) -> CellKey | None:
    shown = [key for key in relation.cells if key not in hidden]
    if not shown:
        return None
    positive = [key for key in shown if cells[key] > 0]
    pool = positive or shown
    return min(pool, key=lambda key: (cells[key], repr(key)))


def _complete_lines(
    cells: Mapping[CellKey, int],
    relations: Sequence[Relation],
    by_cell: Mapping[CellKey, list[Relation]],
    hidden: set[CellKey],
) -> None:
    """Until no relation has exactly one hidden cell (the others would give it away by subtraction)."""
    pending = [r for r in relations if sum(1 for k in set(r.cells) if k in hidden) == 1]
    while pending:
        relation = pending.pop()
        if sum(1 for k in set(relation.cells) if k in hidden) != 1:
            continue
        choice = _complement(cells, relation, hidden)
        if choice is None:
            continue
        hidden.add(choice)
        for other in by_cell.get(choice, []):
            if sum(1 for k in set(other.cells) if k in hidden) == 1:
                pending.append(other)


def determined_cells(relations: Iterable[Relation], hidden: set[CellKey]) -> set[CellKey]:
    """The hidden cells whose value the relations fix once the shown cells are known: exact rational
    elimination of the relations restricted to the hidden cells (the shown ones are constants). A
    hidden cell is fixed when it is a pivot whose reduced row has no free (unpivoted) hidden cell."""
    rows: list[dict[CellKey, Fraction]] = []
    for relation in relations:
        row = {k: Fraction(c) for k, c in relation.coefficients().items() if k in hidden and c}
        if row:
            rows.append(row)
    pivots: dict[CellKey, dict[CellKey, Fraction]] = {}  # pivot cell → its row, reduced (pivot coefficient 1)
    for row in rows:
        for key in [k for k in row if k in pivots]:  # reduce by the pivots found so far (their rows
            factor = row.get(key)  # hold no other pivot, so one pass is enough)
            if factor:
                for k, c in pivots[key].items():
                    value = row.get(k, Fraction(0)) - factor * c
                    if value:
                        row[k] = value
                    else:
                        row.pop(k, None)
        if not row:
            continue
        pivot = min(row, key=repr)
        scale = row[pivot]
        new = {k: c / scale for k, c in row.items()}
        for other in pivots.values():  # keep the earlier rows reduced (Gauss–Jordan)
            factor = other.get(pivot)
            if factor:
                for k, c in new.items():
                    value = other.get(k, Fraction(0)) - factor * c
                    if value:
                        other[k] = value
                    else:
                        other.pop(k, None)
        pivots[pivot] = new
    return {pivot for pivot, row in pivots.items() if all(k == pivot or k in pivots for k in row)}


def publish[K: CellKey](cells: Mapping[K, int], hidden: set[CellKey]) -> dict[K, int | None]:
    """The table as shown: each cell's exact value, or None when it is suppressed."""
    return {key: None if key in hidden else value for key, value in cells.items()}
