from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from isoc.site import views
from isoc.site.api import api
from isoc.site.ops import health as ops_health
from isoc.site.ops import metrics as ops_metrics
from isoc.site.preferences import preferences
from isoc.site.security import two_factor

admin.site.site_header = "Internet Society secretariat"
admin.site.site_title = "isoc admin"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.health, name="health"),
    path("readyz", ops_health.readiness, name="ready"),
    path("metrics", ops_metrics.metrics_view, name="metrics"),
    path("preferences/", preferences, name="preferences"),
    path("accounts/", include("allauth.urls")),
    path("members/", include("isoc.members.urls")),
    path("events/", include("isoc.events.urls")),
    path("chapters/", include("isoc.chapters.urls")),
    path("pulse/", include("isoc.pulse.urls")),
    path("pulse/shutdowns/", include("isoc.shutdowns.urls")),
    path("pulse/routing/", include("isoc.routing.urls")),
    path("pulse/enablers/", include("isoc.enablers.urls")),
    path("pulse/incidents/", include("isoc.incidents.urls")),
    path("pulse/resilience/", include("isoc.resilience.urls")),
    path("pulse/", include("isoc.infra.urls")),
    path("elections/", include("isoc.elections.urls")),
    path("trust/", include("isoc.trust.urls")),
    path("fellowships/", include("isoc.fellowships.urls")),
    path("learning/", include("isoc.learning.urls")),
    path("impact-assessment/", include("isoc.iwn.urls")),
    # security: staff sign in through allauth's form, which asks for the second factor.
    path("admin/login/", two_factor.admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
]
if settings.ISOC_BENCH:
    urlpatterns.append(path("_bench/bare", views.bare))
handler500 = "isoc.site.ops.faults.server_error"
