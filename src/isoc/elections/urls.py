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
    path("<slug:slug>/stand/", views.stand, name="stand"),
    path("<slug:slug>/petitions/", views.petitions, name="petitions"),
    path("<slug:slug>/candidates/<int:pk>/ask/", views.ask, name="ask"),
    path("<slug:slug>/questions/<int:pk>/answer/", views.answer, name="answer"),
    path("<slug:slug>/challenge/", views.challenge, name="challenge"),
]
