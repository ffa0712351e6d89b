from django.urls import path
from django.views.generic import TemplateView

from isoc.shutdowns import cost, views

app_name = "shutdowns"
urlpatterns: list = [
    path("", views.overview, name="overview"),
    path("events/<int:pk>/", views.event, name="event"),
    path("events/<int:pk>/event.csv", views.event_csv, name="event-csv"),
    path("events/<int:pk>/signals.csv", views.event_signals_csv, name="event-signals-csv"),
    path("countries/<str:code>/", views.country, name="country"),
    path("methodology/", TemplateView.as_view(template_name="shutdowns/methodology.html", extra_context={
        "formula": cost.FORMULA, "digital_share": cost.DEFAULT_DIGITAL_SHARE * 100, "full": 1,
        "mobile": cost.MOBILE_FACTOR, "service": cost.SERVICE_FACTOR, "regional": cost.DEFAULT_REGIONAL_SHARE,
        "model": cost.MODEL_VERSION}), name="methodology"),
]
