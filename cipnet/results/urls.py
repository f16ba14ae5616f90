from django.urls import path

from cipnet.results import views

app_name = "results"

urlpatterns = [
    path("", views.programme_list, name="list"),
    path("<slug:code>/", views.programme_dashboard, name="programme"),
    path("<slug:code>/reports/", views.report_generate, name="report_generate"),
    path("<slug:code>/reports/<int:pk>.xlsx", views.report_download, name="report_download"),
    path("<slug:code>/reports/<int:pk>.xml", views.report_iati, name="report_iati"),
    path("<slug:code>/reports/<int:pk>.pdf", views.report_pdf, name="report_pdf"),
    path("<slug:code>/<str:indicator>/", views.indicator_detail, name="indicator"),
]
