"""/api/v1/ routes of the electronic queue; `config/api_urls.py` gathers every app's routes."""

from django.urls import URLPattern, path

from cipnet.equeue.api import views as equeue

urlpatterns: list[URLPattern] = [
    # Queue: the fixed words ("tickets", "desks") before the centre's slug.
    path("v1/queue/tickets/<int:pk>/recall/", equeue.TicketRecallView.as_view(), name="queue-ticket-recall"),
    path("v1/queue/tickets/<int:pk>/no-show/", equeue.TicketNoShowView.as_view(), name="queue-ticket-no-show"),
    path("v1/queue/tickets/<int:pk>/start/", equeue.TicketStartView.as_view(), name="queue-ticket-start"),
    path("v1/queue/tickets/<int:pk>/finish/", equeue.TicketFinishView.as_view(), name="queue-ticket-finish"),
    path("v1/queue/tickets/<int:pk>/transfer/", equeue.TicketTransferView.as_view(), name="queue-ticket-transfer"),
    path("v1/queue/tickets/<str:code>/", equeue.TicketStatusView.as_view(), name="queue-ticket-status"),
    path("v1/queue/tickets/<str:code>/cancel/", equeue.TicketCancelView.as_view(), name="queue-ticket-cancel"),
    path("v1/queue/desks/<int:pk>/call-next/", equeue.CallNextView.as_view(), name="queue-desk-call-next"),
    path("v1/queue/<slug:slug>/tickets/", equeue.TicketIssueView.as_view(), name="queue-ticket-issue"),
    path("v1/queue/<slug:slug>/board/", equeue.BoardView.as_view(), name="queue-board"),
]
