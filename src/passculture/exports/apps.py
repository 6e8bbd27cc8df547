from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "passculture.exports"
    label = "exports"
    verbose_name = "Exports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from passculture.exports.exporters import register_all

        register_all()
