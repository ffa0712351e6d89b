from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "isoc.members"
    label = "members"
    verbose_name = "Members"
