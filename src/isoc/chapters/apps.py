from django.apps import AppConfig


class ChaptersConfig(AppConfig):
    name = "isoc.chapters"
    label = "chapters"
    verbose_name = "Chapters"
