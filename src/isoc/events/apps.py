from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "isoc.events"
    label = "events"
    verbose_name = "Events"

    def ready(self) -> None:
        from isoc.events import receivers  # noqa: F401  (connects the ledger's invoice_paid signal)
