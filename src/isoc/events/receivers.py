"""The events app listens to the dues ledger: a paid invoice confirms a registration, a
voided one releases its seat."""

from django.dispatch import receiver

from isoc.members.hooks import invoice_paid, invoice_voided


@receiver(invoice_paid, dispatch_uid="events.confirm_payment")
def _on_invoice_paid(sender, invoice, at, actor, **kwargs):
    from isoc.events.services import confirm_payment

    confirm_payment(invoice, at, actor)


@receiver(invoice_voided, dispatch_uid="events.release_voided")
def _on_invoice_voided(sender, invoice, actor, reason, **kwargs):
    from isoc.events.services import release_voided

    release_voided(invoice, actor, reason)
