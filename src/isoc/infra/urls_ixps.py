"""IXP pages, under ``/pulse/ixps/``; names start with ``ixp``."""

from django.urls import path

from isoc.infra import views_ixps as views

urlpatterns = [
    path("", views.index, name="ixps"),
]
