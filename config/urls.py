from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("cipnet.api.urls")),
]
urlpatterns += i18n_patterns(
    path("", include("cipnet.directory.urls")),
    path("accounts/", include("cipnet.accounts.urls")),
    path("staff/", include("cipnet.directory.urls_staff")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)
