from django.urls import path

from cipnet.equeue import views_staff as views

app_name = "queue_staff"

urlpatterns = [
    path("", views.console, name="console"),
    path("desk/", views.desk_choose, name="desk"),
    path("call-next/", views.call_next, name="call_next"),
    path("issue/", views.issue, name="issue"),
    path("ticket/<int:pk>/transfer/", views.ticket_transfer, name="transfer"),
    path("ticket/<int:pk>/<slug:action>/", views.ticket_action, name="ticket_action"),
    path("<int:centre_id>/settings/", views.queue_settings, name="settings"),
    path("<int:centre_id>/settings/kiosk-link/", views.kiosk_renew, name="kiosk_renew"),
    path("<int:centre_id>/settings/topics/new/", views.topic_edit, name="topic_add"),
    path("<int:centre_id>/settings/topics/<int:pk>/", views.topic_edit, name="topic_edit"),
    path("<int:centre_id>/settings/desks/new/", views.desk_edit, name="desk_add"),
    path("<int:centre_id>/settings/desks/<int:pk>/", views.desk_edit, name="desk_edit"),
    path("<int:centre_id>/settings/priorities/new/", views.category_edit, name="category_add"),
    path("<int:centre_id>/settings/priorities/<int:pk>/", views.category_edit, name="category_edit"),
    path("<int:centre_id>/stats/", views.stats, name="stats"),
]
