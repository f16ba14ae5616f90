from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView

from cipnet.core.views import favicon, set_language

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", include("config.api_urls")),
    path("favicon.ico", favicon, name="favicon"),
]
urlpatterns += i18n_patterns(
    path("", include("cipnet.portal.urls_public")),
    path("accounts/", include("cipnet.portal.urls_accounts")),
    path("services/", include("cipnet.eservices.urls")),
    path("staff/services/", include("cipnet.eservices.urls_staff")),
    path("staff/log/", include("cipnet.consultations.urls")),
    path("staff/queue/", include("cipnet.equeue.urls_staff")),
    path("queue/", include("cipnet.equeue.urls_public")),
    path("queue/", include("cipnet.equeue.urls_kiosk")),
    path("reception/register/", include("cipnet.appeals.urls_register")),
    path("staff/reception/moderation/", include("cipnet.appeals.urls_moderation")),
    path("reception/", include("cipnet.appeals.urls_public")),
    path("staff/reception/", include("cipnet.appeals.urls_staff")),
    path("staff/results/", include("cipnet.results.urls")),
    path("results/", include("cipnet.results.urls_public")),
    path("staff/", include("cipnet.portal.urls_staff")),
    # One throttled sign-in page for everyone, the admin included.
    path("admin/login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)
