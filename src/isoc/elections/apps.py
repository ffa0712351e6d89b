from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElectionsConfig(AppConfig):
    name = "isoc.elections"
    verbose_name = _("Board of Trustees elections")
    default_auto_field = "django.db.models.BigAutoField"
