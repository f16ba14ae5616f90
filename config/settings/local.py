"""Local development and `make run`: debug on, demo accounts on, email to files."""

import os
import secrets

from .base import *  # noqa: F403
from .base import VAR_DIR, env_bool, env_list

DEBUG = True
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CIPNET_DEMO_MODE = env_bool("CIPNET_DEMO_MODE", True)


def _local_secret_key() -> str:
    """A per-checkout key kept in var/ (never committed), made on first use."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _local_secret_key()
# Mail is written to files under var/mail/ (one file per message) instead of being sent.
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
    }
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "private")},
    },
}

WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
