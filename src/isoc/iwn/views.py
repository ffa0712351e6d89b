from django.http import HttpResponse


def index(request):  # replaced by the IWN work of issue 8
    return HttpResponse(status=404)
