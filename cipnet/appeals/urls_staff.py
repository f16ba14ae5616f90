from django.urls import path

from cipnet.appeals import views_staff as views

app_name = "reception_staff"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/<slug:kind>/", views.file_for_visitor, name="new"),
    path("<int:pk>/", views.case, name="case"),
    path("<int:pk>/edit/", views.edit_draft, name="edit"),
    path("<int:pk>/file/<int:file_pk>/", views.staff_file, name="file"),
    path("<int:pk>/<slug:name>/", views.step, name="step"),
]
