from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "passculture.credit"
    label = "credit"
    verbose_name = "Crédit jeunes"
