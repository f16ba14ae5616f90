from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template import loader
from django.utils.translation import gettext_lazy as _

from cipnet.accounts import throttle
from cipnet.accounts.tasks import send_email
from cipnet.core.clock import local


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The username or password is not right. Check them and try again."),
        "wait": _("Too many unsuccessful attempts from here. Try again after %(time)s, or reset your password."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["password"].label = _("Password")

    def clean(self) -> dict[str, Any]:
        username = self.data.get("username", "")
        ip = throttle.client_ip(self.request) if self.request else "unknown"
        ends = throttle.login_wait_ends(username=username, ip=ip)
        if ends is not None:
            raise forms.ValidationError(
                self.error_messages["wait"], code="locked", params={"time": local(ends).strftime("%H:%M:%S")}
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.record_failure(username=username, ip=ip)
            raise
        throttle.record_success(username=username, ip=ip)
        return cleaned


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the email sent by the task worker."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html = loader.render_to_string(html_email_template_name, context) if html_email_template_name else None
        send_email.enqueue(subject=subject, body=body, to=[to_email], html_body=html)
