from django.apps import AppConfig


class TrustConfig(AppConfig):
    name = "isoc.trust"
    label = "trust"
    verbose_name = "Online Trust Audit"
