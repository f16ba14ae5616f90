from django.urls import URLPattern, path

from cipnet.equeue import views_public as views

app_name = "queue"

urlpatterns: list[URLPattern] = [
    path("ticket/<str:code>/", views.ticket_status, name="ticket"),
    path("ticket/<str:code>/status.json", views.ticket_status_json, name="ticket_json"),
    path("ticket/<str:code>/slip/", views.ticket_slip, name="slip"),
    path("ticket/<str:code>/cancel/", views.ticket_cancel, name="cancel"),
    path("<slug:slug>/board/", views.board, name="board"),
    path("<slug:slug>/board.json", views.board_json, name="board_json"),
    path("<slug:slug>/events/", views.events, name="events"),
]
