"""What readers see for the folder format's fixed values (topics, levels, question kinds)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

TOPICS = {
    "internet-history": _("Internet history"),
    "internet-governance": _("Internet governance"),
    "network-operations": _("Network operations"),
    "online-security": _("Online security"),
    "community-networks": _("Community networks"),
    "internet-measurement": _("Internet measurement"),
}
LEVELS = {
    "beginner": pgettext_lazy("course level", "Beginner"),
    "intermediate": pgettext_lazy("course level", "Intermediate"),
    "advanced": pgettext_lazy("course level", "Advanced"),
}
