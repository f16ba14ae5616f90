"""The web process settles its heap after loading (cipnet.core.heap)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from cipnet.core import heap


@pytest.fixture
def restored_collector() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_settling_freezes_what_was_loaded_and_collects_the_young_less_often(restored_collector: None) -> None:
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    heap.settle()
    # What the process loaded is out of the collector's reach: a full collection walks only what came after.
    assert gc.get_freeze_count() > 10_000
    assert gc.get_threshold()[0] == heap.YOUNG_GENERATION_THRESHOLD
    assert len(gc.get_objects()) < gc.get_freeze_count()


@pytest.mark.parametrize("module", ["config.wsgi", "config.asgi"])
def test_a_loaded_web_process_has_settled_its_heap(module: str) -> None:
    program = f"import gc, {module}; print(gc.get_freeze_count(), gc.get_threshold()[0])"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    out = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True, check=True)  # noqa: S603
    frozen, young = map(int, out.stdout.split())
    assert frozen > 10_000 and young == heap.YOUNG_GENERATION_THRESHOLD
