from django.apps import AppConfig


class EnablersConfig(AppConfig):
    name = "isoc.enablers"
    label = "enablers"
    verbose_name = "Enabling technologies"
