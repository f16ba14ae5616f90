"""The floor for the page budgets: a bare Django project — `startproject`'s settings and middleware,
one view returning a constant. bench/pages.py serves it with the same server and the same path
through it as CIPnet (granian → a2wsgi → Django's WSGI handler), and also with granian's own WSGI
interface, in the same run as the pages it is compared with."""

from __future__ import annotations

from a2wsgi import WSGIMiddleware
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import path

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-bare-project-not-a-secret-0123456789abcdefghijklmnop",  # noqa: S106
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[
            "django.contrib.admin",
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "django.contrib.staticfiles",
        ],
        MIDDLEWARE=[
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        USE_TZ=True,
    )


def constant(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("", constant)]

from django.core.wsgi import get_wsgi_application  # noqa: E402  (after settings.configure)

#: granian --interface wsgi bench.bare:wsgi
wsgi = get_wsgi_application()
#: granian --interface asgi bench.bare:asgi — the same path as CIPnet's pages (a2wsgi, ADR 9)
asgi = WSGIMiddleware(wsgi, workers=10)  # type: ignore[arg-type]
