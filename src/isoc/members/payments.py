"""Payment providers. The one shipped is offline: the member pays by bank transfer
quoting the invoice number, and staff record the payment with the bank's reference.
Nothing here pretends a card was charged."""

from __future__ import annotations

from typing import Protocol

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from isoc.members import models as m
from isoc.site.l10n import money


class PaymentProvider(Protocol):
    name: str

    def instructions(self, invoice: m.Invoice) -> str:
        """What the payer must do to pay ``invoice``."""
        ...


class BankTransfer:
    name = "bank_transfer"

    def instructions(self, invoice: m.Invoice) -> str:
        return _(
            "Pay %(amount)s by bank transfer to the Internet Society, quoting %(number)s as the "
            "reference. Your membership starts when the secretariat records the payment."
        ) % {"amount": money(invoice.balance(), invoice.currency, get_language()), "number": invoice.number}


PROVIDERS: dict[str, PaymentProvider] = {BankTransfer.name: BankTransfer()}


def provider_for(name: str) -> PaymentProvider:
    try:
        return PROVIDERS[name]
    except KeyError:
        raise ValueError(f"unknown payment provider {name!r}; known: {', '.join(PROVIDERS)}") from None
