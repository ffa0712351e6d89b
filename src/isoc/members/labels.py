"""What people read for the values the code stores in English: membership statuses and
categories, invoice states, membership events, directory fields.

The stored values stay as they are (the code branches on them and the API returns
them); pages and messages show these labels, translated. A context keeps words that are
spelled alike apart ("paid" an invoice, "paid" an event), since other languages need
different words (and genders) for them.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

STATUS = {
    "pending": pgettext_lazy("membership status", "pending"),
    "active": pgettext_lazy("membership status", "active"),
    "lapsed": pgettext_lazy("membership status", "lapsed"),
    "cancelled": pgettext_lazy("membership status", "cancelled"),
}

CATEGORY = {
    "global": pgettext_lazy("membership category", "global"),
    "sustaining": pgettext_lazy("membership category", "sustaining"),
}

INVOICE_STATE = {
    "open": pgettext_lazy("invoice state", "open"),
    "paid": pgettext_lazy("invoice state", "paid"),
    "void": pgettext_lazy("invoice state", "void"),
    "settled": pgettext_lazy("invoice state", "settled"),
}

EVENT = {
    "joined": pgettext_lazy("membership event", "joined"),
    "paid": pgettext_lazy("membership event", "paid"),
    "lapsed": pgettext_lazy("membership event", "lapsed"),
    "cancelled": pgettext_lazy("membership event", "cancelled"),
    "renewal_invoiced": pgettext_lazy("membership event", "renewal invoiced"),
    "upgrade_invoiced": pgettext_lazy("membership event", "upgrade invoiced"),
    "downgraded": pgettext_lazy("membership event", "downgrade scheduled"),
}

DIRECTORY_FIELD = {
    "country": _("Country"),
    "city": _("City"),
    "organization": _("Organization"),
    "bio": _("About you"),
    "website": _("Website"),
}

KINDS = {
    "status": STATUS,
    "category": CATEGORY,
    "invoice_state": INVOICE_STATE,
    "event": EVENT,
    "directory_field": DIRECTORY_FIELD,
}


def label(kind: str, value) -> str:
    """The translated label of ``value`` (a ``kind`` listed in ``KINDS``); the value
    itself when it has none (an organization tier's slug, an unknown legacy value)."""
    if value is None or value == "":
        return ""
    return str(KINDS[kind].get(str(value), value))
