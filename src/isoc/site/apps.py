from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "isoc.site"
    label = "isoc_site"
    verbose_name = "isoc site"

    def ready(self) -> None:
        from django.contrib import admin

        from isoc.site import celery  # noqa: F401  (importing it registers shared tasks with it)
        from isoc.site.admin_fixes import mend_admins
        from isoc.site.ops import tasklog  # noqa: F401  (ops: task ids in log lines)

        # The admin app (first in INSTALLED_APPS) has imported every admin module by now.
        mend_admins(admin.site)
        from isoc.site.security.two_factor import connect_signals

        connect_signals()  # security: enrolling a second factor counts for the session
