"""Signals other apps listen to, so the ledger need not know who issued an invoice."""

from django.dispatch import Signal

# Sent by ``services.record_payment`` inside its transaction when a payment settles an
# invoice in full, with ``invoice``, ``at`` (when received) and ``actor``. A receiver
# that raises rolls the payment back.
invoice_paid = Signal()

# Sent by ``services.void_invoice`` inside its transaction when a credit note voids what
# was still due, with ``invoice``, ``actor`` and ``reason``.
invoice_voided = Signal()
