"""IXP pages, under ``/pulse/ixps/``; names start with ``ixp``."""

from django.urls import path

from isoc.infra import views_ixps as views

urlpatterns = [
    path("", views.index, name="ixps"),
    path("ixps.csv", views.index_csv, name="ixps-csv"),
    path("countries/<str:code>/", views.country_page, name="ixp-country"),
    path("<slug:slug>/", views.ixp_page, name="ixp"),
    path("<slug:slug>/members.csv", views.ixp_members_csv, name="ixp-members-csv"),
    path("<slug:slug>/manrs/", views.ixp_manrs, name="ixp-manrs"),
]
