from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from cipnet.accounts import throttle
from cipnet.accounts.forms import LoginForm, QueuedPasswordResetForm

RESET_LIMIT_PER_HOUR = 10


class LoginView(auth_views.LoginView):
    """The throttled sign-in (the throttle is in `LoginForm`). Where a person lands is the hook
    `get_default_redirect_url`: `cipnet.portal.views.LoginView` decides it and is the view routed."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if throttle.hit_rate_limit(
            scope="password-reset", ip=throttle.client_ip(request), limit=RESET_LIMIT_PER_HOUR, window_seconds=3600
        ):
            messages.error(request, _("Too many requests from your connection. Try again in an hour."))
            return render(request, self.template_name, {"form": self.get_form()}, status=429)
        return super().post(request, *args, **kwargs)
