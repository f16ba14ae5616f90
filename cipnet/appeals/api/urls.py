"""/api/v1/ routes of the virtual reception, and the Open311 GeoReport v2 facade over its public
register (/api/open311/v2/); `config/api_urls.py` gathers every app's routes."""

from django.urls import URLPattern, path, re_path

from cipnet.appeals.api import cases, deadline, inbound, open311, steps
from cipnet.appeals.api import public as reception_public

urlpatterns: list[URLPattern] = [
    # Reception: the fixed words ("deadline", "inbound-mail") are outside "cases/".
    path("v1/reception/cases/", cases.CaseListView.as_view(), name="reception-case-list"),
    path("v1/reception/cases/<int:pk>/", cases.CaseDetailView.as_view(), name="reception-case-detail"),
    path("v1/reception/cases/<int:pk>/submit/", steps.CaseSubmitView.as_view(), name="reception-case-submit"),
    path("v1/reception/cases/<int:pk>/register/", steps.CaseRegisterView.as_view(), name="reception-case-register"),
    path("v1/reception/cases/<int:pk>/take/", steps.CaseTakeView.as_view(), name="reception-case-take"),
    path("v1/reception/cases/<int:pk>/assign/", steps.CaseAssignView.as_view(), name="reception-case-assign"),
    path("v1/reception/cases/<int:pk>/no-study/", steps.CaseNoStudyView.as_view(), name="reception-case-no-study"),
    path("v1/reception/cases/<int:pk>/extend/", steps.CaseExtendView.as_view(), name="reception-case-extend"),
    path("v1/reception/cases/<int:pk>/forward/", steps.CaseForwardView.as_view(), name="reception-case-forward"),
    path("v1/reception/cases/<int:pk>/ask/", steps.CaseAskView.as_view(), name="reception-case-ask"),
    path("v1/reception/cases/<int:pk>/clarify/", steps.CaseClarifyView.as_view(), name="reception-case-clarify"),
    path("v1/reception/cases/<int:pk>/answer/", steps.CaseAnswerView.as_view(), name="reception-case-answer"),
    path(
        "v1/reception/cases/<int:pk>/record-answer/",
        steps.CaseRecordAnswerView.as_view(),
        name="reception-case-record-answer",
    ),
    path("v1/reception/cases/<int:pk>/files/<int:file_pk>/", cases.CaseFileView.as_view(), name="reception-case-file"),
    path("v1/reception/cases/<int:pk>/close/", steps.CaseCloseView.as_view(), name="reception-case-close"),
    path("v1/reception/cases/<int:pk>/withdraw/", steps.CaseWithdrawView.as_view(), name="reception-case-withdraw"),
    path("v1/reception/deadline/", deadline.DeadlineView.as_view(), name="reception-deadline"),
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
    path("v1/reception/inbound-mail/", inbound.InboundMailView.as_view(), name="reception-inbound-mail"),
    # Open311 GeoReport v2 (read-only): the format is part of the address, and only .json is served.
    path("open311/v2/discovery.json", open311.DiscoveryView.as_view(), name="open311-discovery"),
    path("open311/v2/services.json", open311.ServiceListView.as_view(), name="open311-services"),
    path(
        "open311/v2/services/<str:service_code>.json",
        open311.ServiceDefinitionView.as_view(),
        name="open311-service",
    ),
    path("open311/v2/requests.json", open311.RequestListView.as_view(), name="open311-requests"),
    path(
        "open311/v2/requests/<str:service_request_id>.json",
        open311.RequestDetailView.as_view(),
        name="open311-request",
    ),
    re_path(r"^open311/v2/(?P<rest>.*)$", open311.OtherFormatView.as_view(), name="open311-other"),
]
