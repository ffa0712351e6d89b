from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "isoc.learning"
    label = "learning"
    verbose_name = "Learning"
