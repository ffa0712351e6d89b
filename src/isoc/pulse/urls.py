from django.urls import path

from isoc.pulse import views

app_name = "pulse"
urlpatterns = [
    path("", views.index, name="index"),
    path("countries/<str:code>/", views.country, name="country"),
    path("datasets/<slug:slug>/", views.dataset, name="dataset"),
    path("stories/", views.stories, name="stories"),
    path("stories/feed/", views.StoriesFeed(), name="stories-feed"),
    path("stories/<slug:slug>/", views.story, name="story"),
]
