"""Included by `cipnet.portal.urls_staff` into the `staff` namespace, next to the staff home."""

from django.urls import path

from cipnet.directory import views_staff as views

urlpatterns = [
    path("centres/", views.centre_list, name="centres"),
    path("centres/new/", views.centre_create, name="centre_create"),
    path("centres/<int:pk>/", views.centre_detail, name="centre"),
    path("centres/<int:pk>/edit/", views.centre_edit, name="centre_edit"),
    path("centres/<int:pk>/hours/", views.centre_hours, name="centre_hours"),
    path("centres/<int:pk>/exceptions/", views.exception_add, name="exception_add"),
    path("centres/<int:pk>/exceptions/<int:exception_id>/delete/", views.exception_delete, name="exception_delete"),
    path("offices/", views.office_list, name="offices"),
    path("offices/<int:pk>/", views.office_detail, name="office"),
]
