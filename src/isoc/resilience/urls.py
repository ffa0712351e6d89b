from django.urls import path

from isoc.resilience import views

app_name = "resilience"
urlpatterns = [
    path("", views.overview, name="index"),
    path("countries/<str:code>/", views.country, name="country"),
    path("methodology/", views.methodology, name="methodology"),
    path("what-if/", views.what_if, name="what_if"),
    path("download/", views.download, name="download"),
]
