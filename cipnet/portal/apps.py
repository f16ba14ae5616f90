from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The top layer: pages that compose several apps. It may import any app; no app imports it."""

    name = "cipnet.portal"
    label = "portal"
