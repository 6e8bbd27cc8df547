from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "passculture.providers"
    label = "providers"
    verbose_name = "Logiciels partenaires"
    default_auto_field = "django.db.models.BigAutoField"
