"""The entrance kiosk (by the centre's secret kiosk address) and booking a time online.

Mounted at /queue/ beside urls_public.py, whose paths (<slug>/board/, <slug>/events/,
ticket/<code>/…) these do not overlap."""

from django.urls import URLPattern, path

from cipnet.equeue import views_kiosk

app_name = "queue_kiosk"

urlpatterns: list[URLPattern] = [
    path("kiosk/<str:token>/", views_kiosk.kiosk_start, name="start"),
    path("kiosk/<str:token>/topic/<int:topic_id>/", views_kiosk.kiosk_priority, name="priority"),
    path("kiosk/<str:token>/number/<str:code>/", views_kiosk.kiosk_ticket, name="ticket"),
    path("kiosk/<str:token>/booking/", views_kiosk.kiosk_booking, name="booking"),
    path("<slug:slug>/book/", views_kiosk.book, name="book"),
    path("<slug:slug>/book/<str:token>/", views_kiosk.booked, name="booked"),
]
