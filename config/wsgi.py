import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

from cipnet.core import heap  # noqa: E402  (needs the settings and apps loaded)

heap.settle()
