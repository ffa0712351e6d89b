from django.urls import path

from isoc.members import views

app_name = "members"
urlpatterns = [
    path("", views.home, name="home"),
    path("join/", views.join, name="join"),
    path("membership/<slug:action>/", views.change, name="change"),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/new/", views.new_token, name="new_token"),
    path("profile/tokens/<int:pk>/revoke/", views.revoke_token, name="revoke_token"),
    path("profile/export/", views.export, name="export"),
    path("profile/erase/", views.erase, name="erase"),
    path("directory/", views.directory, name="directory"),
    path("invoices/<str:number>/", views.receipt, name="receipt"),
    path("organizations/", views.organizations, name="organizations"),
    path("organizations/join/", views.organization_join, name="organization_join"),
    path("organizations/<slug:slug>/", views.organization, name="organization"),
    path("organizations/<slug:slug>/<slug:action>/", views.organization_manage, name="organization_manage"),
]
