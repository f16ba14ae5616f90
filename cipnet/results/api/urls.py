"""/api/v1/ routes of programme results; `config/api_urls.py` gathers every app's routes."""

from django.urls import URLPattern, path

from cipnet.results.api import public

urlpatterns: list[URLPattern] = [
    path("v1/results/programmes/", public.ProgrammeListView.as_view(), name="results-programme-list"),
    path(
        "v1/results/programmes/<slug:code>/",
        public.ProgrammeDetailView.as_view(),
        name="results-programme-detail",
    ),
    path(
        "v1/results/programmes/<slug:code>/figures/",
        public.FigureListView.as_view(),
        name="results-programme-figures",
    ),
]
