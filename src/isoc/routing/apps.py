from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "isoc.routing"
    label = "routing"
    verbose_name = "Routing security"
