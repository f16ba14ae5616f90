"""The `accounts` namespace: accounts' pages, with the sign-in that knows where each person lands."""

from django.urls import include, path

from cipnet.portal import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("", include("cipnet.accounts.urls")),
]
