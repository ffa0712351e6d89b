from django.urls import path

from isoc.elections import views

app_name = "elections"
urlpatterns: list = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.election, name="election"),
    path("<slug:slug>/ballot/", views.ballot, name="ballot"),
    path("<slug:slug>/results/", views.results, name="results"),
    path("<slug:slug>/ballots.json", views.ballots_json, name="ballots"),
    path("<slug:slug>/certify/", views.certify, name="certify"),
]
