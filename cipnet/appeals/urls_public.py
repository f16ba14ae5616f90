from django.urls import path

from cipnet.appeals import views_public as views

app_name = "reception"

urlpatterns = [
    path("", views.start, name="start"),
    path("deadline/", views.calculator, name="calculator"),
    path("my/", views.my_cases, name="mine"),
    path("new/<slug:kind>/", views.new, name="new"),
    path("c/<str:token>/", views.case, name="case"),
    path("c/<str:token>/edit/", views.edit, name="edit"),
    path("c/<str:token>/confirm/", views.confirm, name="confirm"),
    path("c/<str:token>/file/<int:pk>/", views.author_file, name="file"),
    path("c/<str:token>/<slug:step>/", views.author_step, name="step"),
]
