from django.urls import path

from cipnet.eservices import views_staff as views

app_name = "eservices_staff"
urlpatterns = [
    path("", views.card_list, name="cards"),
    path("new/", views.card_create, name="card_create"),
    path("synonyms/", views.synonyms, name="synonyms"),
    path("synonyms/<int:pk>/delete/", views.synonym_delete, name="synonym_delete"),
    path("reports/", views.reports, name="reports"),
    path("import/", views.catalogue_import, name="import"),
    path("centre/<int:centre_pk>/", views.centre_services, name="centre_services"),
    path("<int:pk>/edit/", views.card_edit, name="card_edit"),
    path("<int:pk>/history/", views.card_history, name="card_history"),
    path("<int:pk>/history/<int:number>/revert/", views.card_revert, name="card_revert"),
    path("<int:pk>/verify/", views.card_verify, name="card_verify"),
]
