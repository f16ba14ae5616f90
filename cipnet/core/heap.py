"""The web process's heap, settled once the application is loaded.

A loaded CIPnet process holds about 150,000 objects that live as long as it does (modules, URL patterns,
compiled templates, translation catalogues). Python's cyclic garbage collector walks all of them in
each full collection: about 65 ms, which a request pays at random (measured for issue 15: the finder's
p50 at 20,000 centres 40 ms with the default collector, 26 ms with the heap settled; most of its
spikes over 100 ms were full collections). Settling moves what exists after loading into the
permanent generation (`gc.freeze`), out of every later collection, and lets the youngest generation
grow larger between collections (a request makes thousands of short-lived objects).
"""

from __future__ import annotations

import gc

from django.conf import settings
from django.urls import get_resolver
from django.utils import translation

#: Allocations between collections of the youngest generation (Python's default is 700).
YOUNG_GENERATION_THRESHOLD = 10_000


def settle() -> None:
    """Load what every request needs (URL patterns, each language's catalogue), collect once, freeze
    the survivors and raise the youngest generation's threshold. Call once per process, after loading."""
    get_resolver().url_patterns  # noqa: B018  (the URL configuration, imported and compiled)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Home")
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, middle, old)
