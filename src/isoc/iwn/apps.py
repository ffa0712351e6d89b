from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IwnConfig(AppConfig):
    name = "isoc.iwn"
    verbose_name = _("Internet impact assessment")
    default_auto_field = "django.db.models.BigAutoField"
