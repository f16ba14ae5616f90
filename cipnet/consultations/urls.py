from django.urls import path

from cipnet.consultations.views import dashboards, entries, entry

app_name = "consultations"

urlpatterns = [
    path("", entry.entry, name="entry"),
    path("tally/", entry.tally, name="tally"),
    path("entries/", entries.entry_list, name="entries"),
    path("entries/<int:pk>/edit/", entries.entry_edit, name="edit"),
    path("entries/<int:pk>/delete/", entries.entry_delete, name="delete"),
    path("entries/<int:pk>/history/", entries.entry_history, name="history"),
    path("centre/<int:pk>/", dashboards.centre_dashboard, name="centre"),
    path("centre/<int:pk>/target/", dashboards.centre_target, name="target"),
    path("summary/", dashboards.summary, name="summary"),
    path("export.<slug:fmt>", entries.export, name="export"),
    path("candidates/", dashboards.candidates, name="candidates"),
]
