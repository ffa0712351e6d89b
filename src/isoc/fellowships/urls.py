from django.urls import path

from isoc.fellowships import views

app_name = "fellowships"
urlpatterns = [
    path("", views.index, name="index"),
    path("methodology/", views.methodology, name="methodology"),
    path("alumni/", views.alumni, name="alumni"),
    path("programmes/<slug:slug>/", views.programme, name="programme"),
    path("calls/<slug:slug>/", views.call, name="call"),
    path("calls/<slug:slug>/apply/", views.apply, name="apply"),
    path("calls/<slug:slug>/manage/", views.manage, name="manage"),
    path("calls/<slug:slug>/manage/<int:pk>/assign/", views.assign, name="assign"),
    path("calls/<slug:slug>/manage/<int:pk>/decide/", views.decide, name="decide"),
    path("calls/<slug:slug>/manage/notify/", views.notify, name="notify"),
    path("applications/", views.my_applications, name="my_applications"),
    path("applications/<int:pk>/", views.application, name="application"),
    path("applications/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("applications/<int:pk>/endorse/", views.endorse, name="endorse"),
    path("applications/<int:pk>/onboard/", views.onboard, name="onboard"),
    path("applications/<int:pk>/travel/", views.travel, name="travel"),
    path("applications/<int:pk>/alumni/", views.alumni_listing, name="alumni_listing"),
    path("applications/<int:pk>/documents/<int:doc>/", views.document, name="document"),
    path("applications/<int:pk>/documents/<int:doc>/remove/", views.remove_document, name="remove_document"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/<int:pk>/", views.review, name="review"),
    path("review/<int:pk>/conflict/", views.declare_conflict, name="declare_conflict"),
]
