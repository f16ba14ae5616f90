"""/api/v1/ routes of the virtual reception; `config/api_urls.py` gathers every app's routes."""

from django.urls import URLPattern, path

from cipnet.appeals.api import cases, deadline, inbound, steps
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
]
