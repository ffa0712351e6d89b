from django.urls import path

app_name = "shutdowns"
urlpatterns: list = [
    # Pages are added here; see views.py.
]
