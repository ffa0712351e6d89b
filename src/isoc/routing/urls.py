from django.urls import path

from isoc.routing import views

app_name = "routing"
urlpatterns: list = [
    path("", views.overview, name="overview"),
    path("networks/<int:asn>/", views.network, name="network"),
    path("countries/<str:code>/", views.country, name="country"),
    path("prefix/", views.prefix_search, name="prefix"),
    path("incidents/", views.incidents, name="incidents"),
    path("incidents/<int:pk>/", views.incident, name="incident"),
    path("participants/", views.participants, name="participants"),
    path("participants/<slug:slug>/", views.participant, name="participant"),
    path("methodology/", views.methodology, name="methodology"),
]
