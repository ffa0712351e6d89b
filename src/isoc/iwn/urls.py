from django.urls import path

from isoc.iwn import views

app_name = "iwn"
urlpatterns = [
    path("", views.index, name="index"),
]
