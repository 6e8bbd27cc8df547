"""How the youth pages say dates, places and amounts (French, Europe/Paris)."""

import datetime as dt

from django.utils import dateformat, timezone

from passculture.core.money import format_cents
from passculture.offers.models import Offer

__all__ = ["format_cents", "long_date", "long_datetime", "place_of"]


def _day(value: dt.date) -> str:
    return "1er" if value.day == 1 else str(value.day)


def long_datetime(value: dt.datetime) -> str:
    """'mardi 5 janvier 2027 à 14:00' (1er for the first day), in Paris time."""
    local = timezone.localtime(value)
    return (
        f"{dateformat.format(local, 'l')} {_day(local)} {dateformat.format(local, 'F Y')}"
        f" à {local:%H:%M}"
    )


def long_date(value: dt.date | dt.datetime) -> str:
    """'mardi 5 janvier 2027' (a datetime is read in Paris time)."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return f"{dateformat.format(value, 'l')} {_day(value)} {dateformat.format(value, 'F Y')}"


def place_of(offer: Offer) -> str:
    """Where the offer happens, as the young person needs to read it."""
    if offer.address_id is not None:
        return str(offer.address)
    venue = offer.venue
    if venue.is_virtual:
        return "En ligne"
    return f"{venue.display_name}, {venue.street}, {venue.postal_code} {venue.city}"
