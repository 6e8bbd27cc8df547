"""Statistics: offer views, bookings, fill rates, no-shows by distance and département."""

from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "passculture.stats"
    label = "stats"
    verbose_name = "Statistiques"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from passculture.exports import registry
        from passculture.stats.exporters import STATS_EXPORTER

        if all(e.key != STATS_EXPORTER.key for e in registry.all_exporters()):
            registry.register(STATS_EXPORTER)
