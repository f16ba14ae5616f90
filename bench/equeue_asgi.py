"""The ASGI application the queue benchmark (bench/equeue.py) runs under uvicorn: the project's
own application, with its URLs plus two bare views, so that the cost of the board's cached
`304 Not Modified` can be set against the cheapest response Django can give through the same
middleware, server and settings.

    uvicorn bench.equeue_asgi:application --lifespan off

Settings come from DJANGO_SETTINGS_MODULE (the benchmark uses config.settings.production with
SECRET_KEY, ALLOWED_HOSTS and SECURE_SSL_REDIRECT=0 in the environment); BENCH_EQUEUE_CONN_MAX_AGE,
when set, overrides the database's CONN_MAX_AGE.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.asgi import get_asgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
# This module is the URLconf: the project's patterns and the bare views (set before setup).
settings.ROOT_URLCONF = __name__
# The benchmark may turn persistent connections off (Django's advice under ASGI); the project's
# DATABASE_URL parsing sets CONN_MAX_AGE=60.
if os.environ.get("BENCH_EQUEUE_CONN_MAX_AGE"):
    settings.DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ["BENCH_EQUEUE_CONN_MAX_AGE"])


def bare(request: HttpRequest) -> HttpResponse:
    """A constant small response from a plain (sync) view, like the board's JSON view."""
    return HttpResponse(b'{"ok":true}', content_type="application/json")


async def bare_async(request: HttpRequest) -> HttpResponse:
    """The same from an async view (no thread hop for the view itself)."""
    return HttpResponse(b'{"ok":true}', content_type="application/json")


application = get_asgi_application()

from config.urls import urlpatterns as project_urlpatterns  # noqa: E402  (needs the apps loaded)

urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/bare/", bare),
    path("bench/bare-async/", bare_async),
    *project_urlpatterns,
]
