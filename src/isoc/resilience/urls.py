from django.urls import path

from isoc.resilience import views

app_name = "resilience"
urlpatterns = [
    path("", views.index, name="index"),
]
