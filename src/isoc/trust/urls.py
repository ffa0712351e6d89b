from django.urls import path

from isoc.trust import views

app_name = "trust"
urlpatterns: list = [
    path("", views.honor_roll, name="index"),
    path("<int:year>/", views.honor_roll, name="year"),
    path("organizations/<slug:slug>/", views.organization, name="organization"),
    path("organizations/<slug:slug>/<int:year>/", views.scorecard, name="scorecard"),
    path("methodology/", views.methodology, name="methodology"),
]
