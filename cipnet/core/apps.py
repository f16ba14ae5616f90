from django.apps import AppConfig, apps
from django.conf import settings
from django.core.signals import request_finished
from django.db.models.signals import m2m_changed, post_delete, post_save


class CoreConfig(AppConfig):
    name = "cipnet.core"
    label = "core"

    def ready(self) -> None:
        from cipnet.core import pagecache
        from cipnet.core.routing import close_stream_connections

        request_finished.connect(close_stream_connections, dispatch_uid="cipnet.core.close_stream_connections")
        # Every write to what public pages show changes the version the kept pages are keyed by.
        excluded = set(getattr(settings, "CIPNET_PUBLIC_DATA_EXCLUDE", ()))
        for label in getattr(settings, "CIPNET_PUBLIC_DATA_APPS", ()):
            for model in apps.get_app_config(label).get_models():
                if model._meta.label in excluded:
                    continue
                uid = f"cipnet.core.pagecache:{model._meta.label}"
                post_save.connect(pagecache.data_changed, sender=model, dispatch_uid=uid)
                post_delete.connect(pagecache.data_changed, sender=model, dispatch_uid=uid)
                for field in model._meta.local_many_to_many:
                    m2m_changed.connect(pagecache.data_changed, sender=field.remote_field.through, dispatch_uid=uid)
