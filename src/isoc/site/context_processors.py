from django.conf import settings


def site(request):
    return {"SITE_NAME": "Internet Society", "SITE_URL": settings.SITE_URL}
