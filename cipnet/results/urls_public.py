from django.urls import path

from cipnet.results import views

app_name = "results_public"

urlpatterns = [
    path("<slug:code>/", views.programme_public, name="public"),
    path("<slug:code>/data/", views.open_data, name="data"),
    path("<slug:code>/data/results.csv", views.open_data_csv, name="data_csv"),
    path("<slug:code>/data/results.json", views.open_data_json, name="data_json"),
    path("<slug:code>/data/datapackage.json", views.open_data_package, name="datapackage"),
    path("<slug:code>/data/dcat.ttl", views.open_data_dcat_turtle, name="dcat_ttl"),
    path("<slug:code>/data/dcat.jsonld", views.open_data_dcat_jsonld, name="dcat_jsonld"),
]
