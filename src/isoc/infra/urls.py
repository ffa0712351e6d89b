from django.urls import include, path

app_name = "infra"
urlpatterns = [
    path("ixps/", include("isoc.infra.urls_ixps")),
    path("community-networks/", include("isoc.infra.urls_community")),
]
