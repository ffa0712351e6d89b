from django.apps import AppConfig


class PulseConfig(AppConfig):
    name = "isoc.pulse"
    label = "pulse"
    verbose_name = "Pulse"
