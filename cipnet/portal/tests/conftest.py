from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _ukrainian() -> Iterator[None]:
    """Each test starts in Ukrainian: a page requested in another language by an earlier test
    leaves that language active in the thread, and `reverse` would prefix it."""
    with translation.override("uk"):
        yield
