from django.urls import path

from isoc.shutdowns import views

app_name = "shutdowns"
urlpatterns: list = [
    path("", views.overview, name="overview"),
    path("events/<int:pk>/", views.event, name="event"),
    path("events/<int:pk>/event.csv", views.event_csv, name="event-csv"),
    path("events/<int:pk>/signals.csv", views.event_signals_csv, name="event-signals-csv"),
    path("countries/<str:code>/", views.country, name="country"),
]
