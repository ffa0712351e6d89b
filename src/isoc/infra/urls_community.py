"""Community network pages, under ``/pulse/community-networks/``; names start with ``cn``.

``add/`` and ``planner/`` come before ``<slug>/``; the services never give a network those slugs."""

from django.urls import path

from isoc.infra import views_community as views

urlpatterns = [
    path("", views.index, name="cn"),
    path("add/", views.add, name="cn-add"),
    path("planner/", views.planner_page, name="cn-planner"),
    path("<slug:slug>/", views.network, name="cn-network"),
    path("<slug:slug>/edit/", views.edit, name="cn-edit"),
    path("<slug:slug>/support/", views.record_support, name="cn-support"),
    path("<slug:slug>/trainings/", views.record_training, name="cn-training"),
]
