from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from cipnet.api import appeals, consultations, equeue, eservices, reception_public, views

app_name = "api"

urlpatterns = [
    path("v1/centres/", views.CentreListView.as_view(), name="centre-list"),
    path("v1/centres/<slug:slug>/", views.CentreDetailView.as_view(), name="centre-detail"),
    path("v1/regions/", views.RegionListView.as_view(), name="region-list"),
    path("v1/regions/<slug:slug>/", views.RegionDetailView.as_view(), name="region-detail"),
    path("v1/territories/", views.TerritoryListView.as_view(), name="territory-list"),
    path("v1/territories/<str:code>/", views.TerritoryDetailView.as_view(), name="territory-detail"),
    path("v1/services/", eservices.CardListView.as_view(), name="service-list"),
    # Before the card route: "autocomplete" would otherwise read as a card's identifier.
    path("v1/services/autocomplete/", eservices.AutocompleteView.as_view(), name="service-autocomplete"),
    path("v1/services/export.json", eservices.ExportJsonView.as_view(), name="service-export-json"),
    path("v1/services/export.csv", eservices.ExportCsvView.as_view(), name="service-export-csv"),
    path("v1/services/export.jsonld", eservices.ExportJsonLdView.as_view(), name="service-export-jsonld"),
    path("v1/services/export.ttl", eservices.ExportTurtleView.as_view(), name="service-export-ttl"),
    path("v1/services/<slug:identifier>/", eservices.CardDetailView.as_view(), name="service-detail"),
    path("v1/consultations/", consultations.ConsultationListView.as_view(), name="consultation-list"),
    path("v1/consultations/summary/", consultations.ConsultationSummaryView.as_view(), name="consultation-summary"),
    path(
        "v1/consultations/export.csv", consultations.ConsultationExportCsvView.as_view(), name="consultation-export-csv"
    ),
    path(
        "v1/consultations/export.xlsx",
        consultations.ConsultationExportXlsxView.as_view(),
        name="consultation-export-xlsx",
    ),
    path("v1/consultations/<int:pk>/", consultations.ConsultationDetailView.as_view(), name="consultation-detail"),
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
    # Reception: the fixed words ("deadline", "inbound-mail") are outside "cases/".
    path("v1/reception/cases/", appeals.CaseListView.as_view(), name="reception-case-list"),
    path("v1/reception/cases/<int:pk>/", appeals.CaseDetailView.as_view(), name="reception-case-detail"),
    path("v1/reception/cases/<int:pk>/submit/", appeals.CaseSubmitView.as_view(), name="reception-case-submit"),
    path("v1/reception/cases/<int:pk>/register/", appeals.CaseRegisterView.as_view(), name="reception-case-register"),
    path("v1/reception/cases/<int:pk>/take/", appeals.CaseTakeView.as_view(), name="reception-case-take"),
    path("v1/reception/cases/<int:pk>/assign/", appeals.CaseAssignView.as_view(), name="reception-case-assign"),
    path("v1/reception/cases/<int:pk>/no-study/", appeals.CaseNoStudyView.as_view(), name="reception-case-no-study"),
    path("v1/reception/cases/<int:pk>/extend/", appeals.CaseExtendView.as_view(), name="reception-case-extend"),
    path("v1/reception/cases/<int:pk>/forward/", appeals.CaseForwardView.as_view(), name="reception-case-forward"),
    path("v1/reception/cases/<int:pk>/ask/", appeals.CaseAskView.as_view(), name="reception-case-ask"),
    path("v1/reception/cases/<int:pk>/clarify/", appeals.CaseClarifyView.as_view(), name="reception-case-clarify"),
    path("v1/reception/cases/<int:pk>/answer/", appeals.CaseAnswerView.as_view(), name="reception-case-answer"),
    path(
        "v1/reception/cases/<int:pk>/record-answer/",
        appeals.CaseRecordAnswerView.as_view(),
        name="reception-case-record-answer",
    ),
    path(
        "v1/reception/cases/<int:pk>/files/<int:file_pk>/", appeals.CaseFileView.as_view(), name="reception-case-file"
    ),
    path("v1/reception/cases/<int:pk>/close/", appeals.CaseCloseView.as_view(), name="reception-case-close"),
    path("v1/reception/cases/<int:pk>/withdraw/", appeals.CaseWithdrawView.as_view(), name="reception-case-withdraw"),
    path("v1/reception/deadline/", appeals.DeadlineView.as_view(), name="reception-deadline"),
    path("v1/reception/register/", reception_public.RegisterListView.as_view(), name="reception-register"),
    path(
        "v1/reception/register/<str:number>/",
        reception_public.RegisterCaseView.as_view(),
        name="reception-register-case",
    ),
    path(
        "v1/reception/authorities/",
        reception_public.AuthorityStatsView.as_view(),
        name="reception-authority-statistics",
    ),
    path("v1/reception/inbound-mail/", appeals.InboundMailView.as_view(), name="reception-inbound-mail"),
    path("v1/schema/", SpectacularAPIView.as_view(), name="schema"),
]
