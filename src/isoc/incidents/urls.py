from django.urls import path

from isoc.incidents import views

app_name = "incidents"
urlpatterns: list = [
    path("", views.trends_page, name="trends"),
    path("report/<int:year>/", views.report_page, name="report"),
    path("report/<int:year>/pdf/", views.report_pdf, name="report-pdf"),
    path("methodology/", views.methodology, name="methodology"),
    path("<int:pk>/", views.incident, name="incident"),
]
