"""The exporters: individual bookings, collective bookings, offers with their dates.

Parameters are JSON-able (they are stored on a background job): the bookings tab's filters
(`BookingFilters` fields, dates as ISO strings) plus `offerer_id`, the structure the export
belongs to — rows are limited to it so that a file shared with that structure's members
never holds another structure's data, even for a pro who belongs to several.

Rows are read with `.iterator(chunk_size=…)` over joined querysets (values_list for the
bookings, select_related elsewhere): the query count does not grow with the number of
rows, and memory holds one chunk at a time.
"""

import dataclasses
import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from django.db.models import Count, F, Q, Sum

from passculture.accounts.models import User
from passculture.bookings.listing import (
    PARIS,
    BookingFilters,
    collective_bookings,
    individual_bookings,
)
from passculture.bookings.models import BookingStatus, CancellationReason, ValidationAuthor
from passculture.collective.models import CollectiveBookingStatus
from passculture.exports.registry import Column, Exporter, Row, register
from passculture.offerers.selectors import venues_for_user
from passculture.offers.catalogue import SUBCATEGORIES
from passculture.offers.models import Stock

CHUNK = 2000
_FILTER_FIELDS = {f.name for f in dataclasses.fields(BookingFilters)}


def filters_from_params(params: Mapping[str, Any]) -> BookingFilters:
    """Stored (JSON) parameters → the bookings tab's filters; unknown keys are ignored."""
    values: dict[str, Any] = {}
    for name in _FILTER_FIELDS:
        value = params.get(name)
        if value in (None, ""):
            continue
        if name in ("date_from", "date_to"):
            value = dt.date.fromisoformat(str(value))
        elif name in ("venue_id", "offer_id", "price_category_id"):
            value = int(value)
        values[name] = value
    return BookingFilters(**values)


def _offerer_q(params: Mapping[str, Any], path: str) -> Q:
    offerer_id = params.get("offerer_id")
    return Q(**{path: offerer_id}) if offerer_id else Q()


# --- individual bookings ----------------------------------------------------------------

_STATUS = dict(BookingStatus.choices)
_REASON = dict(CancellationReason.choices)
_AUTHOR = dict(ValidationAuthor.choices)


def _bookings_qs(user: User, params: Mapping[str, Any]):
    filters = filters_from_params(params)
    qs = individual_bookings(user, filters).filter(_offerer_q(params, "offer__venue__offerer_id"))
    if filters.kind == "collective":
        return qs.none()
    return qs


_BOOKING_FIELDS = (
    "token", "quantity", "user__first_name", "user__last_name", "user__email", "user__phone",
    "offer__name", "offer__venue__public_name", "offer__venue__name",
    "stock__beginning_datetime", "stock__price_category__label", "amount", "created_at",
    "status", "used_at", "validation_author", "cancelled_at", "cancellation_reason",
)  # fmt: skip


def booking_rows(user: User, params: Mapping[str, Any]) -> Iterator[Row]:
    # values_list, not model instances: one query either way, but building six models per
    # row (user, offer, venue, stock, category) cost 3× the time of writing the xlsx.
    qs = _bookings_qs(user, params).order_by("-created_at", "-id").values_list(*_BOOKING_FIELDS)
    for (
        token, quantity, first_name, last_name, email, phone, offer, public_name, venue_name,
        event_at, category, amount, booked_at, status, used_at, author, cancelled_at, reason,
    ) in qs.iterator(chunk_size=CHUNK):  # fmt: skip
        row = {
            "token": token,
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "phone": phone,
            "offer": offer,
            "venue": public_name or venue_name,
            "event_at": event_at,
            "price_category": category or "",
            "amount": amount,
            "booked_at": booked_at,
            "status": _STATUS.get(status, status),
            "validated_at": used_at,
            "validated_by": _AUTHOR.get(author, ""),
            "cancelled_at": cancelled_at,
            "cancellation_reason": _REASON.get(reason, ""),
            "place": "",
        }
        if quantity == 2:
            # A duo is two seats: one row each, so the door list counts people, not bookings.
            yield {**row, "place": "DUO 1"}
            yield {**row, "place": "DUO 2"}
        else:
            yield row


def booking_count(user: User, params: Mapping[str, Any]) -> int:
    return _bookings_qs(user, params).aggregate(n=Sum("quantity"))["n"] or 0


BOOKINGS = Exporter(
    key="bookings",
    label="Réservations individuelles",
    columns=(
        Column("token", "Contremarque"),
        Column("place", "Place"),
        Column("first_name", "Prénom"),
        Column("last_name", "Nom"),
        Column("email", "E-mail"),
        Column("phone", "Téléphone"),
        Column("offer", "Offre"),
        Column("venue", "Lieu"),
        Column("event_at", "Date de l’événement", "datetime"),
        Column("price_category", "Tarif"),
        Column("amount", "Prix unitaire", "money"),
        Column("booked_at", "Réservée le", "datetime"),
        Column("status", "Statut"),
        Column("validated_at", "Validée le", "datetime"),
        Column("validated_by", "Validée par"),
        Column("cancelled_at", "Annulée le", "datetime"),
        Column("cancellation_reason", "Motif d’annulation"),
    ),
    default_columns=(
        "token",
        "place",
        "last_name",
        "first_name",
        "email",
        "offer",
        "event_at",
        "price_category",
        "amount",
        "booked_at",
        "status",
    ),  # fmt: skip
    rows=booking_rows,
    count=booking_count,
)


# --- collective bookings ----------------------------------------------------------------

_COLLECTIVE_STATUS = dict(CollectiveBookingStatus.choices)


def _collective_qs(user: User, params: Mapping[str, Any]):
    filters = filters_from_params(params)
    qs = collective_bookings(user, filters).filter(_offerer_q(params, "offer__venue__offerer_id"))
    return qs.none() if filters.kind == "individual" else qs


def collective_rows(user: User, params: Mapping[str, Any]) -> Iterator[Row]:
    qs = (
        _collective_qs(user, params)
        .select_related("school", "teacher", "offer__venue", "stock")
        .order_by("-created_at", "-id")
    )
    for booking in qs.iterator(chunk_size=CHUNK):
        school, teacher = booking.school, booking.teacher
        yield {
            "school": school.name,
            "uai": school.uai,
            "school_city": school.city,
            "school_phone": school.phone,
            "teacher": f"{teacher.first_name} {teacher.last_name}".strip(),
            "teacher_email": teacher.email,
            "offer": booking.offer.name,
            "venue": booking.offer.venue.display_name,
            "event_at": booking.stock.start_datetime,
            "pupils": booking.stock.number_of_pupils,
            "price": booking.price,
            "status": _COLLECTIVE_STATUS.get(booking.status, booking.status),
            "booked_at": booking.created_at,
            "confirmed_at": booking.confirmed_at,
            "cancelled_at": booking.cancelled_at,
        }


def collective_count(user: User, params: Mapping[str, Any]) -> int:
    return _collective_qs(user, params).count()


COLLECTIVE = Exporter(
    key="collective_bookings",
    label="Réservations collectives",
    columns=(
        Column("school", "Établissement"),
        Column("uai", "UAI"),
        Column("school_city", "Commune de l’établissement"),
        Column("school_phone", "Téléphone de l’établissement"),
        Column("teacher", "Enseignant"),
        Column("teacher_email", "E-mail de l’enseignant"),
        Column("offer", "Offre"),
        Column("venue", "Lieu"),
        Column("event_at", "Début", "datetime"),
        Column("pupils", "Élèves", "int"),
        Column("price", "Prix", "money"),
        Column("status", "Statut"),
        Column("booked_at", "Préréservée le", "datetime"),
        Column("confirmed_at", "Confirmée le", "datetime"),
        Column("cancelled_at", "Annulée le", "datetime"),
    ),
    default_columns=(
        "school",
        "uai",
        "school_phone",
        "teacher",
        "teacher_email",
        "offer",
        "event_at",
        "price",
        "status",
    ),  # fmt: skip
    rows=collective_rows,
    count=collective_count,
)


# --- offers and their dates -------------------------------------------------------------


def _stocks_qs(user: User, params: Mapping[str, Any]):
    """The dates (stocks) of the pro's offers; the date filters apply to the event date."""
    filters = filters_from_params(params)
    qs = Stock.objects.filter(offer__venue__in=venues_for_user(user), is_deleted=False).filter(
        _offerer_q(params, "offer__venue__offerer_id")
    )
    if filters.venue_id:
        qs = qs.filter(offer__venue_id=filters.venue_id)
    if filters.offer_id:
        qs = qs.filter(offer_id=filters.offer_id)
    if filters.price_category_id:
        qs = qs.filter(price_category_id=filters.price_category_id)
    if filters.date_from:
        qs = qs.filter(beginning_datetime__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(beginning_datetime__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    return qs


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=PARIS)


def offer_rows(user: User, params: Mapping[str, Any]) -> Iterator[Row]:
    qs = (
        _stocks_qs(user, params)
        .select_related("offer__venue", "price_category")
        .order_by("offer__name", "offer_id", F("beginning_datetime").asc(nulls_first=True), "id")
    )
    for stock in qs.iterator(chunk_size=CHUNK):
        offer = stock.offer
        subcategory = SUBCATEGORIES.get(offer.subcategory_id)
        yield {
            "offer": offer.name,
            "venue": offer.venue.display_name,
            "subcategory": subcategory.label if subcategory else offer.subcategory_id,
            "event_at": stock.beginning_datetime,
            "price_category": stock.price_category.label if stock.price_category else "",
            "price": stock.price,
            "quantity": stock.quantity,
            "booked": stock.booked_quantity,
            # No fill rate for an unlimited stock: nothing to fill.
            "fill_rate": stock.booked_quantity / stock.quantity if stock.quantity else None,
        }


def offer_count(user: User, params: Mapping[str, Any]) -> int:
    return _stocks_qs(user, params).aggregate(n=Count("id"))["n"]


OFFERS = Exporter(
    key="offers",
    label="Offres et dates (remplissage)",
    columns=(
        Column("offer", "Offre"),
        Column("venue", "Lieu"),
        Column("subcategory", "Sous-catégorie"),
        Column("event_at", "Date", "datetime"),
        Column("price_category", "Tarif"),
        Column("price", "Prix", "money"),
        Column("quantity", "Places", "int"),
        Column("booked", "Réservées", "int"),
        Column("fill_rate", "Taux de remplissage", "percent"),
    ),
    default_columns=("offer", "venue", "event_at", "quantity", "booked", "fill_rate"),
    rows=offer_rows,
    count=offer_count,
)


def register_all() -> None:
    for exporter in (BOOKINGS, COLLECTIVE, OFFERS):
        register(exporter)
