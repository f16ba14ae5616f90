"""/api/v1/ routes of the virtual reception; `config/api_urls.py` gathers every app's routes."""

from django.urls import URLPattern, path

from cipnet.appeals.api import cases as appeals
from cipnet.appeals.api import public as reception_public

urlpatterns: list[URLPattern] = [
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
]
