"""Settings for the test suite (SQLite by default, PostgreSQL when DATABASE_URL is set)."""

import secrets

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = secrets.token_urlsafe(50)
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
CIPNET_DEMO_MODE = True
# A fast hasher keeps the suite quick; production uses Django's default (PBKDF2).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The suite runs without the pool (tests/config_settings tests it on its own connection): the test
# client disconnects close_old_connections, so the connections of its request threads are never
# given back, and a bounded pool would run dry part-way through the suite.
DATABASES["default"].get("OPTIONS", {}).pop("pool", None)
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "10000/min", "user": "10000/min"}}

# Serve static files through the finders (no collectstatic needed in tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# A new connection per request, as before persistent SQLite connections (the suite's live servers
# share one test database, which its teardown must be able to drop); tests/config_settings tests
# the production default and the stream path's closing on their own.
DATABASES["default"]["CONN_MAX_AGE"] = 0
# Kept public pages are tested on their own (cipnet/core/tests/test_pagecache.py): elsewhere every
# request renders, as a test that changes data and reads a page expects.
CIPNET_PAGE_CACHE = False
