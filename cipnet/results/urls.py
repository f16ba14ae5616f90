from django.urls import path

from cipnet.results import views

app_name = "results"

urlpatterns = [
    path("", views.programme_list, name="list"),
    path("<slug:code>/", views.programme_dashboard, name="programme"),
    path("<slug:code>/reports/", views.report_generate, name="report_generate"),
    path("<slug:code>/reports/<int:pk>.xlsx", views.report_download, name="report_download"),
    path("<slug:code>/reports/<int:pk>.xml", views.report_iati, name="report_iati"),
    path("<slug:code>/months/", views.programme_months, name="months"),
    path("<slug:code>/months/act/", views.month_act, name="month_act"),
    path("<slug:code>/months/<int:centre>/<str:month>/return/", views.month_return, name="month_return"),
    path("<slug:code>/reports/<int:pk>.pdf", views.report_pdf, name="report_pdf"),
    path("<slug:code>/<str:indicator>/", views.indicator_detail, name="indicator"),
]
