from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "passculture.core"
    label = "core"
    verbose_name = "Noyau"
