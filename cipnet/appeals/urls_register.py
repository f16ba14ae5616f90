from django.urls import path

from cipnet.appeals import views_register as views

app_name = "reception_register"

urlpatterns = [
    path("", views.search, name="search"),
    path("authorities/", views.authorities, name="authorities"),
    path("authorities/<slug:slug>/", views.authority, name="authority"),
    path("<str:number>/", views.case, name="case"),
]
