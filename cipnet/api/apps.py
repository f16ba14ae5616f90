from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cipnet.api"
    label = "api"
