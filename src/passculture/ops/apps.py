from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operator commands: run the whole platform, seed demo or benchmark data."""

    name = "passculture.ops"
    label = "ops"
    verbose_name = "Exploitation"
