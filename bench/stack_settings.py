"""Settings of the production-stack smoke run (bench/stack.py): the production settings, with e-mail
written to files under BENCH_STACK_MAIL (the product's SMTP path is what `manage.py sendtestemail`
checks on a real server) and the outbox dispatcher run every few seconds."""

import os

from config.settings.production import *  # noqa: F403

MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": os.environ["BENCH_STACK_MAIL"]},
    }
}
CIPNET_OUTBOX_DISPATCH_SECONDS = 5
