from django.urls import path

from cipnet.consultations import views

app_name = "consultations"

urlpatterns = [
    path("", views.entry, name="entry"),
    path("tally/", views.tally, name="tally"),
    path("entries/", views.entry_list, name="entries"),
    path("entries/<int:pk>/edit/", views.entry_edit, name="edit"),
    path("entries/<int:pk>/delete/", views.entry_delete, name="delete"),
    path("entries/<int:pk>/history/", views.entry_history, name="history"),
    path("centre/<int:pk>/", views.centre_dashboard, name="centre"),
    path("centre/<int:pk>/target/", views.centre_target, name="target"),
    path("summary/", views.summary, name="summary"),
    path("export.<slug:fmt>", views.export, name="export"),
    path("candidates/", views.candidates, name="candidates"),
]
