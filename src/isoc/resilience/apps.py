from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResilienceConfig(AppConfig):
    name = "isoc.resilience"
    verbose_name = _("Internet Resilience Index")
    default_auto_field = "django.db.models.BigAutoField"
