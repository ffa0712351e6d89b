from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "isoc.incidents"
    label = "incidents"
    verbose_name = "Cyber incidents"
