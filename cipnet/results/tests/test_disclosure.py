"""Small-cell suppression: no shown count from 1 to 4, and no suppressed cell recoverable from what is
shown and the table's additive relations (checked by an independent exact rank test)."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cipnet.results.disclosure import SMALL, Relation, determined_cells, publish, suppress

type Key = tuple[object, ...]


def _rank(rows: list[list[Fraction]]) -> int:
    """Rank by plain dense Gaussian elimination over the rationals."""
    matrix = [row[:] for row in rows]
    rank = 0
    columns = len(matrix[0]) if matrix else 0
    for col in range(columns):
        pivot = next((r for r in range(rank, len(matrix)) if matrix[r][col] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        for r in range(len(matrix)):
            if r != rank and matrix[r][col] != 0:
                factor = matrix[r][col] / matrix[rank][col]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[rank], strict=True)]
        rank += 1
    return rank


def recoverable(relations: list[Relation], hidden: set[Key]) -> set[Key]:
    """Hidden cells whose value the relations fix given every shown cell: e_i lies in the row space of
    the relations restricted to the hidden cells exactly when adding e_i as a row keeps the rank."""
    order = sorted(hidden, key=repr)
    index = {key: i for i, key in enumerate(order)}
    rows = []
    for relation in relations:
        row = [Fraction(0)] * len(order)
        for key, coefficient in relation.coefficients().items():
            if key in index:
                row[index[key]] += coefficient
        if any(row):
            rows.append(row)
    base = _rank(rows)
    out = set()
    for key in order:
        unit = [Fraction(0)] * len(order)
        unit[index[key]] = Fraction(1)
        if _rank([*rows, unit]) == base:
            out.add(key)
    return out


def cube(values: dict[tuple[int, int, int], int], months: int, rows: int, cols: int):  # type: ignore[no-untyped-def]
    """A table like the open data's: per month a rows × columns table with its margins (a dimension's
    values adding to the total; centres adding to a region), and the months adding to a whole."""
    cells: dict[Key, int] = {}
    relations: list[Relation] = []
    whole = "all"
    for m in [*range(months), whole]:
        for r, c in itertools.product([*range(rows), "total"], [*range(cols), "total"]):
            if m == whole:
                value = sum(cells[(mm, r, c)] for mm in range(months))
            elif r == "total" and c == "total":
                value = sum(values[(m, rr, cc)] for rr in range(rows) for cc in range(cols))
            elif r == "total":
                value = sum(values[(m, rr, c)] for rr in range(rows))
            elif c == "total":
                value = sum(values[(m, r, cc)] for cc in range(cols))
            else:
                value = values[(m, r, c)]
            cells[(m, r, c)] = value
        for r in [*range(rows), "total"]:
            relations.append(Relation((m, r, "total"), tuple((m, r, c) for c in range(cols))))
        for c in [*range(cols), "total"]:
            relations.append(Relation((m, "total", c), tuple((m, r, c) for r in range(rows))))
    for r, c in itertools.product([*range(rows), "total"], [*range(cols), "total"]):
        relations.append(Relation((whole, r, c), tuple((m, r, c) for m in range(months))))
    return cells, relations


@st.composite
def tables(draw: st.DrawFn):  # type: ignore[no-untyped-def]
    months = draw(st.integers(1, 3))
    rows = draw(st.integers(1, 3))
    cols = draw(st.integers(1, 3))
    small_or_not = st.one_of(st.integers(0, 6), st.integers(0, 40))
    values = {key: draw(small_or_not) for key in itertools.product(range(months), range(rows), range(cols))}
    return cube(values, months, rows, cols)


@settings(max_examples=150, deadline=None)
@given(tables())
def test_no_small_cell_shown_and_none_recoverable(table) -> None:  # type: ignore[no-untyped-def]
    cells, relations = table
    for relation in relations:  # the generated table is consistent
        assert cells[relation.whole] == sum(cells[p] for p in relation.parts)
    hidden = suppress(cells, relations)
    shown = publish(cells, hidden)
    # (a) nothing from 1 to 4 is shown
    assert not [key for key, value in shown.items() if value is not None and 1 <= value <= SMALL]
    # (b) no hidden cell is fixed by the shown ones and the relations (independent rank test)
    assert recoverable(relations, hidden) == set()
    # (c) what is shown is exact
    assert all(value == cells[key] for key, value in shown.items() if value is not None)
    assert {key for key, value in shown.items() if value is None} == hidden


def test_the_checker_catches_a_cell_given_away_by_its_total() -> None:
    # 3 + 10 = 13: hiding only the 3 leaves it recoverable as 13 - 10.
    cells = {"a": 3, "b": 10, "t": 13}
    relations = [Relation("t", ("a", "b"))]
    assert recoverable(relations, {"a"}) == {"a"}
    assert determined_cells(relations, {"a"}) == {"a"}
    assert suppress(cells, relations) == {"a", "b"}


def test_the_smallest_non_zero_complement_is_hidden() -> None:
    cells = {"a": 2, "b": 0, "c": 7, "d": 30, "t": 39}
    assert suppress(cells, [Relation("t", ("a", "b", "c", "d"))]) == {"a", "c"}


def test_a_pattern_hiding_two_cells_in_every_relation_can_still_give_them_away() -> None:
    # a + b, a + c and b + c shown: a = (t1 + t2 - t3) / 2, though each relation hides two cells.
    cells = {"a": 2, "b": 9, "c": 7, "t1": 11, "t2": 9, "t3": 16}
    relations = [Relation("t1", ("a", "b")), Relation("t2", ("a", "c")), Relation("t3", ("b", "c"))]
    assert recoverable(relations, {"a", "b", "c"}) == {"a", "b", "c"}
    assert determined_cells(relations, {"a", "b", "c"}) == {"a", "b", "c"}
    hidden = suppress(cells, relations)
    assert recoverable(relations, hidden) == set()
    assert "a" in hidden and len(hidden) == 4  # one of the totals had to go too


def test_relations_must_name_known_cells() -> None:
    with pytest.raises(KeyError, match="unknown cell"):
        suppress({"a": 1}, [Relation("t", ("a",))])
