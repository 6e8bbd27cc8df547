from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "passculture.accounts"
    label = "accounts"
    verbose_name = "Comptes"
