"""The ASGI application, for uvicorn (`make run`; in production see docs/deployment.md).

ASGI is needed for the queue's live push: each board or status page holds one Server-Sent
Events stream open, which costs an ASGI server a coroutine, not a thread. In front of Django, the
admission gate (cipnet.core.admission) bounds the requests a process works on at once
(WEB_MAX_REQUESTS_IN_FLIGHT, by default the database pool's size) and answers the rest 503 with
Retry-After when no place frees within WEB_ADMISSION_WAIT seconds."""

import os

from django.conf import settings
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
django_application = get_asgi_application()

from cipnet.core.admission import AdmissionGate  # noqa: E402  (needs the settings and apps loaded)

application = AdmissionGate(
    django_application, limit=settings.WEB_MAX_REQUESTS_IN_FLIGHT, wait=settings.WEB_ADMISSION_WAIT
)
