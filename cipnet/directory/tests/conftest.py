"""Shared fixtures: the real KATOTTG codifier shipped with CIPnet, whole or a small real subset of it."""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import pytest
from pytest_django import DjangoDbBlocker

from cipnet.directory.katottg import SHIPPED_CODIFIER, Row, parse_codifier, territory_import
from cipnet.directory.models import Region, Territory
from cipnet.directory.tests.api_fixtures import client_as, directory, fixed_now  # noqa: F401  (the API tests' world)

# Lviv, Mykolaiv and Odesa oblasts and Kyiv: about 4,300 real rows with the places the tests talk about
# (both cities named Миколаїв, Львів, Стрий, Нова Одеса, Одеса, Київ and its districts).
SUBSET_OBLASTS = ("UA46", "UA48", "UA51", "UA80")


@pytest.fixture(scope="session")
def katottg_lines() -> list[str]:
    """The shipped codifier's lines, header included."""
    with gzip.open(SHIPPED_CODIFIER, "rt", encoding="utf-8", newline="") as file:
        return file.readlines()


@pytest.fixture(scope="session")
def katottg_subset_lines(katottg_lines: list[str]) -> list[str]:
    return [katottg_lines[0], *(line for line in katottg_lines[1:] if line.startswith(SUBSET_OBLASTS))]


@pytest.fixture(scope="session")
def katottg_subset_rows(katottg_subset_lines: list[str]) -> list[Row]:
    return parse_codifier(katottg_subset_lines)


@pytest.fixture
def katottg_subset(db: None, katottg_subset_rows: list[Row]) -> None:
    """The subset imported inside the test's transaction (rolled back after it); about a third of a second."""
    territory_import(source=katottg_subset_rows)


@pytest.fixture(scope="module")
def katottg_subset_module(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker, katottg_subset_rows: list[Row]
) -> Iterator[None]:
    """The subset imported once for a whole test module, for tests that only read territories.

    The rows are committed, so every test in the module sees them (each test still needs `db`); they are
    deleted when the module ends, so other modules start from an empty directory as usual. A test that
    writes territories, or uses `transactional_db` (which empties the tables), must not use this fixture.
    """
    with django_db_blocker.unblock():
        territory_import(source=katottg_subset_rows)
    yield
    with django_db_blocker.unblock():
        clear_territories()


def clear_territories() -> None:
    Region.objects.all().delete()
    # Unlinking first spares the deletion collector from walking the hierarchy level by level.
    Territory.objects.update(parent=None, oblast=None, raion=None, hromada=None)
    Territory.objects.all().delete()
