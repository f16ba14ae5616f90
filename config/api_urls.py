"""The /api/ router: every domain app's API routes under one namespace ("api"), and the schema.

Each app owns its endpoints (`cipnet/<app>/api/`); this module only gathers them, in the order
the schema lists them.
"""

from django.urls import URLPattern, path
from drf_spectacular.views import SpectacularAPIView

from cipnet.appeals.api.urls import urlpatterns as appeals
from cipnet.consultations.api.urls import urlpatterns as consultations
from cipnet.directory.api.urls import urlpatterns as directory
from cipnet.equeue.api.urls import urlpatterns as equeue
from cipnet.eservices.api.urls import urlpatterns as eservices
from cipnet.results.api.urls import urlpatterns as results

app_name = "api"

urlpatterns: list[URLPattern] = [
    *directory,
    *eservices,
    *consultations,
    *equeue,
    *appeals,
    *results,
    path("v1/schema/", SpectacularAPIView.as_view(), name="schema"),
]
