from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "passculture.bookings"
    label = "bookings"
    verbose_name = "Réservations"

    def ready(self) -> None:
        # Offers call these inside their own transactions (see offers/hooks.py).
        from passculture.bookings import offer_hooks
        from passculture.offers import hooks

        hooks.offer_rejected.append(offer_hooks.cancel_for_rejected_offer)
        hooks.stocks_moved.append(offer_hooks.follow_moved_date)
        hooks.stocks_deleted.append(offer_hooks.cancel_for_deleted_date)
