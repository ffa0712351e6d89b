from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FellowshipsConfig(AppConfig):
    name = "isoc.fellowships"
    verbose_name = _("Fellowships")
    default_auto_field = "django.db.models.BigAutoField"
