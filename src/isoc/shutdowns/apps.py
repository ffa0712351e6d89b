from django.apps import AppConfig


class ShutdownsConfig(AppConfig):
    name = "isoc.shutdowns"
    label = "shutdowns"
    verbose_name = "Internet shutdowns"
