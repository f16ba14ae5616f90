"""The web application, for granian (`make run`, production) and uvicorn (the browser tests).

One ASGI application, two paths through Django (ADR 9):

- **Ordinary pages and the API** go through Django's *WSGI* handler, run by a2wsgi in a thread of
  the process: one hop from the event loop to a thread per request. Through Django's ASGI handler
  the same sync views and middleware cost a dozen sync↔async hops and two new threads per request
  (2.0–2.3 ms against 0.24 ms in-process, measured for issue 15).
- **The queue's live streams** (`…/queue/<centre>/events/`, Server-Sent Events) go through Django's
  *ASGI* handler: each open board or status page costs a coroutine, not a thread.

In front of both, the admission gate (cipnet.core.admission) bounds the requests a process works on
at once (WEB_MAX_REQUESTS_IN_FLIGHT, by default the database pool's size) and answers the rest 503
with Retry-After when no place frees within WEB_ADMISSION_WAIT seconds. A stream gives its place
back when its response starts.
"""

import os
import re

from a2wsgi import WSGIMiddleware
from django.conf import settings
from django.core.asgi import get_asgi_application
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
django_application = get_asgi_application()
django_wsgi_application = get_wsgi_application()

from cipnet.core import heap  # noqa: E402  (needs the settings and apps loaded)
from cipnet.core.admission import AdmissionGate  # noqa: E402
from cipnet.core.routing import StreamRouter  # noqa: E402

#: The paths answered with a stream (the board's and the ticket page's Server-Sent Events).
STREAMS = re.compile(r"^/(?:[a-z]{2}/)?queue/[^/]+/events/$")

application = AdmissionGate(
    StreamRouter(
        streams=django_application,
        pages=WSGIMiddleware(django_wsgi_application, workers=settings.WEB_MAX_REQUESTS_IN_FLIGHT),  # type: ignore[arg-type]
        stream_paths=STREAMS,
    ),
    limit=settings.WEB_MAX_REQUESTS_IN_FLIGHT,
    wait=settings.WEB_ADMISSION_WAIT,
)
# What the process loaded, out of the garbage collector's way (cipnet.core.heap).
heap.settle()
