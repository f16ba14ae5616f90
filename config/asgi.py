"""The ASGI application, for uvicorn (`make run`; in production see docs/deployment.md).

ASGI is needed for the queue's live push: each board or status page holds one Server-Sent
Events stream open, which costs an ASGI server a coroutine, not a thread."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_asgi_application()
