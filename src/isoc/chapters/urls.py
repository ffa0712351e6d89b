from django.urls import path

from isoc.chapters import views

app_name = "chapters"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.chapter, name="chapter"),
    path("<slug:slug>/join/", views.join, name="join"),
    path("<slug:slug>/leave/", views.leave, name="leave"),
    path("<slug:slug>/dashboard/", views.dashboard, name="dashboard"),
    path("<slug:slug>/officers/appoint/", views.appoint_officer, name="appoint-officer"),
    path("<slug:slug>/officers/<int:term>/end/", views.end_officer_term, name="end-officer-term"),
    path("<slug:slug>/members.csv", views.members_csv, name="members-csv"),
    path("<slug:slug>/reports/new/", views.file_report, name="file-report"),
]
