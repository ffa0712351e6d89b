from django.http import HttpResponse


def index(request):  # replaced by the infra work of issue 8
    return HttpResponse(status=404)
