from django.urls import path

from isoc.events import views

app_name = "events"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/register/", views.register, name="register"),
    path("<slug:slug>/cancel/", views.cancel, name="cancel"),
    path("<slug:slug>/calendar.ics", views.ics, name="ics"),
    path("<slug:slug>/attendees.csv", views.attendees, name="attendees"),
    path("<slug:slug>/funding/", views.funding, name="funding"),
    path("<slug:slug>/cancellation/", views.cancellation, name="cancellation"),
    path("<slug:slug>/refunds/<int:pk>/", views.record_refund, name="record_refund"),
]
