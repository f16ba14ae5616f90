from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cipnet.core"
    label = "core"
