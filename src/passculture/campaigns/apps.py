from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "passculture.campaigns"
    label = "campaigns"
    verbose_name = "Campagnes et rappels"
    default_auto_field = "django.db.models.BigAutoField"
