from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EqueueConfig(AppConfig):
    name = "cipnet.equeue"
    label = "equeue"
    verbose_name = _("Electronic queue")
