from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "isoc.site"
    label = "isoc_site"
    verbose_name = "isoc site"

    def ready(self) -> None:
        # Importing the Celery app registers shared tasks with it.
        from isoc.site import celery  # noqa: F401
