"""Community network pages, under ``/pulse/community-networks/``; names start with ``cn``."""

from django.urls import path

from isoc.infra import views_community as views

urlpatterns = [
    path("", views.index, name="cn"),
]
