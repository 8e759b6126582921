from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "metalstat.portal"
    label = "portal"
    verbose_name = "Subscriber portal"
