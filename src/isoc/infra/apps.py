from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfraConfig(AppConfig):
    name = "isoc.infra"
    verbose_name = _("IXPs and community networks")
    default_auto_field = "django.db.models.BigAutoField"
