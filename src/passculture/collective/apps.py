from django.apps import AppConfig


class CollectiveConfig(AppConfig):
    name = "passculture.collective"
    label = "collective"
    verbose_name = "Part collective (EAC)"
