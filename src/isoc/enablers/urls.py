from django.urls import path

from isoc.enablers import views

app_name = "enablers"
urlpatterns: list = [
    path("", views.overview, name="overview"),
    path("domain/", views.domain, name="domain"),
    path("methodology/", views.methodology, name="methodology"),
]
