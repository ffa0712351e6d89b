from django.urls import path

from isoc.iwn import views

app_name = "iwn"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("mine/", views.mine, name="mine"),
    path("<str:share_token>/", views.report, name="report"),
    path("<str:share_token>/report.pdf", views.report_as_pdf, name="pdf"),
    path("<str:share_token>/details/", views.details, name="details"),
    path("<str:share_token>/step/<int:number>/", views.step, name="step"),
    path("<str:share_token>/delete/", views.delete, name="delete"),
    path("<str:share_token>/edit/<str:edit_token>/", views.claim, name="claim"),
]
