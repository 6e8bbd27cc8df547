from django.apps import AppConfig


class OffersConfig(AppConfig):
    name = "passculture.offers"
    label = "offers"
    verbose_name = "Offres"
