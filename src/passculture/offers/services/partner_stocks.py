"""Partner API writes the pro portal does not need: one stock at a time, ids at provider.

The pro portal edits dates as (date × tariffs) grids (stocks.py). Ticketing software sends
each stock with its own tariff, contingent, booking limit and its own id, and edits or
deletes one stock at a time. These services reuse stocks.py's locks and checks, so both
paths obey the same rules (future dates, 2 500 stocks, 300 €, never below booked seats).

Imported from this module directly (not re-exported by the services package).
"""

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from passculture.accounts.models import User
from passculture.core import clock
from passculture.core.audit import record_audit
from passculture.core.errors import NotFound
from passculture.offerers.models import Venue
from passculture.offers import errors as e
from passculture.offers import hooks, rules
from passculture.offers.models import Offer, PriceCategory, Stock, Validation
from passculture.offers.services.review import submit_offer
from passculture.offers.services.stocks import (
    _is_event,
    _locked,
    add_price_category,
    check_fill_alert,
    offer_timezone,
    update_price_category,
)

# A contingent above a million seats is a client bug, and the column is a 32-bit integer.
MAX_QUANTITY = 1_000_000
ID_AT_PROVIDER_MAX = 70


class _Unset:
    """Marks a field the partner did not send: keep it (None means "clear" or "unlimited")."""


UNSET = _Unset()


class DuplicateIdAtProvider(e.OfferError):
    code = "duplicate_id_at_provider"
    message = "L’identifiant « {value} » est déjà utilisé par {what}."
    field = "idAtProvider"


class PriceCategoryNotFound(NotFound):
    code = "price_category_not_found"
    message = "Tarif introuvable pour cette offre : {ids}."
    field = "priceCategoryId"


@dataclasses.dataclass(frozen=True)
class DatedStock:
    """One stock as a partner sends it."""

    beginning: dt.datetime
    booking_limit: dt.datetime
    price_category_id: int
    quantity: int | None  # None = unlimited
    id_at_provider: str = ""


def _clean_id(value: str | None) -> str:
    value = (value or "").strip()
    if len(value) > ID_AT_PROVIDER_MAX:
        raise e.OfferError(
            "L’identifiant idAtProvider fait 70 caractères au plus.", field="idAtProvider"
        )
    return value


def _check_quantity(quantity: int | None, booked: int = 0) -> None:
    if quantity is None:
        return
    if quantity < 0:
        raise e.OfferError("Le nombre de places ne peut pas être négatif.", field="quantity")
    if quantity > MAX_QUANTITY:
        raise e.OfferError(
            "Le nombre de places dépasse 1 000 000 : indiquez « unlimited » pour un stock "
            "illimité.",
            field="quantity",
        )
    if quantity < booked:
        raise e.QuantityBelowBooked(quantity=quantity, booked=booked)


def _taken_ids(queryset: QuerySet[PriceCategory] | QuerySet[Stock]) -> set[str]:
    return set(queryset.exclude(id_at_provider="").values_list("id_at_provider", flat=True))


def _when(offer: Offer, moment: dt.datetime) -> str:
    return f"{moment.astimezone(offer_timezone(offer)):%d/%m/%Y à %H:%M}"


# --- ids at provider ---------------------------------------------------------------------


@transaction.atomic
def set_offer_id_at_provider(*, actor: User, offer: Offer, value: str | None) -> Offer:
    """Store the partner's own id of an offer, unique among the venue's live offers."""
    value = _clean_id(value)
    offer = _locked(offer)
    if value == offer.id_at_provider:
        return offer
    if value:
        # The venue row is the lock that serialises two offers claiming the same id.
        list(Venue.objects.select_for_update().filter(pk=offer.venue_id).values_list("pk"))
        taken = Offer.objects.filter(
            venue_id=offer.venue_id, id_at_provider=value, archived_at__isnull=True
        ).exclude(pk=offer.pk)
        if taken.exists():
            raise DuplicateIdAtProvider(value=value, what="une autre offre de ce lieu")
    before = offer.id_at_provider
    offer.id_at_provider = value
    offer.save(update_fields=["id_at_provider", "updated_at"])
    record_audit(
        actor=actor,
        action="offer.id_at_provider_set",
        obj=offer,
        before={"id_at_provider": before},
        after={"id_at_provider": value},
    )
    return offer


# --- price categories ----------------------------------------------------------------------


@transaction.atomic
def add_price_categories(
    *, actor: User, offer: Offer, items: Sequence[tuple[str, int, str | None]]
) -> list[PriceCategory]:
    """Add (label, price, id at provider) tariffs all at once: one refusal adds none."""
    offer = _locked(offer)
    ids = [_clean_id(item[2]) for item in items]
    _check_new_ids(
        [i for i in ids if i], _taken_ids(offer.price_categories.all()), what="un autre tarif"
    )
    created = []
    for (label, price, _), id_at_provider in zip(items, ids, strict=True):
        category = add_price_category(actor=actor, offer=offer, label=label, price=price)
        if id_at_provider:
            category.id_at_provider = id_at_provider
            category.save(update_fields=["id_at_provider", "updated_at"])
        created.append(category)
    return created


@transaction.atomic
def edit_price_category(
    *,
    actor: User,
    category: PriceCategory,
    label: str | _Unset = UNSET,
    price: int | _Unset = UNSET,
    id_at_provider: str | None | _Unset = UNSET,
) -> PriceCategory:
    """Change only what is given; a new price applies to the tariff's live dates."""
    _locked(category.offer)
    category = PriceCategory.objects.select_for_update().get(pk=category.pk)
    if not isinstance(label, _Unset) or not isinstance(price, _Unset):
        category = update_price_category(
            actor=actor,
            category=category,
            label=category.label if isinstance(label, _Unset) else label,
            price=category.price if isinstance(price, _Unset) else price,
        )
    if not isinstance(id_at_provider, _Unset):
        value = _clean_id(id_at_provider)
        if value != category.id_at_provider:
            others = category.offer.price_categories.exclude(pk=category.pk)
            if value and others.filter(id_at_provider=value).exists():
                raise DuplicateIdAtProvider(value=value, what="un autre tarif de cette offre")
            record_audit(
                actor=actor,
                action="price_category.id_at_provider_set",
                obj=category,
                before={"id_at_provider": category.id_at_provider},
                after={"id_at_provider": value},
            )
            category.id_at_provider = value
            category.save(update_fields=["id_at_provider", "updated_at"])
    return category


# --- dates -------------------------------------------------------------------------------


def _check_new_ids(new: list[str], existing: set[str], *, what: str) -> None:
    repeated = [value for value, count in Counter(new).items() if count > 1]
    if repeated:
        raise DuplicateIdAtProvider(
            "L’identifiant « {value} » apparaît plusieurs fois dans la requête.",
            value=repeated[0],
        )
    clash = sorted(set(new) & existing)
    if clash:
        raise DuplicateIdAtProvider(value=clash[0], what=what)


@transaction.atomic
def create_dated_stocks(*, actor: User, offer: Offer, items: Sequence[DatedStock]) -> list[Stock]:
    """Create each stock as sent (its tariff, contingent, limit, id); all or nothing."""
    offer = _locked(offer)
    if not _is_event(offer):
        raise e.NotAnEvent()
    if not items:
        raise e.NoDates("Envoyez au moins une date.", field="dates")
    categories = {c.pk: c for c in offer.price_categories.all()}
    unknown = sorted({i.price_category_id for i in items} - set(categories))
    if unknown:
        raise PriceCategoryNotFound(ids=", ".join(str(pk) for pk in unknown[:10]))
    now = clock.now()
    for item in items:
        if item.beginning <= now:
            raise e.PastDate(date=_when(offer, item.beginning))
        if item.booking_limit > item.beginning:
            raise e.InvalidBookingLimit(
                "La date limite de réservation du {date} doit précéder le début de l’événement.",
                date=_when(offer, item.beginning),
            )
        _check_quantity(item.quantity)
    keys = Counter((i.beginning, i.price_category_id) for i in items)
    twice = next((k for k, count in keys.items() if count > 1), None)
    if twice is not None:
        raise e.OfferError(
            "La date du {date} est envoyée deux fois pour le même tarif.",
            date=_when(offer, twice[0]),
            field="dates",
        )
    live = offer.stocks.filter(is_deleted=False)
    existing = set(
        live.filter(beginning_datetime__in={i.beginning for i in items}).values_list(
            "beginning_datetime", "price_category_id"
        )
    )
    clash = next((k for k in keys if k in existing), None)
    if clash is not None:
        raise e.OfferError(
            "L’offre a déjà une date le {date} pour ce tarif : modifiez-la plutôt.",
            date=_when(offer, clash[0]),
            field="dates",
        )
    total = live.count() + len(items)
    if total > rules.MAX_STOCKS_PER_OFFER:
        raise e.TooManyStocks(total=f"{total:,}".replace(",", "\u202f"))
    new_ids = [_clean_id(i.id_at_provider) for i in items if i.id_at_provider.strip()]
    _check_new_ids(new_ids, _taken_ids(live), what="une autre date de cette offre")
    stocks = [
        Stock(
            offer=offer,
            price_category=categories[item.price_category_id],
            price=categories[item.price_category_id].price,
            beginning_datetime=item.beginning,
            booking_limit_datetime=item.booking_limit,
            quantity=item.quantity,
            id_at_provider=item.id_at_provider.strip(),
            created_at=now,
        )
        for item in items
    ]
    try:
        with transaction.atomic():
            created = Stock.objects.bulk_create(stocks, batch_size=1000)
    except IntegrityError as exc:  # a concurrent request created some of the same dates
        raise e.OfferError("Ces dates viennent d’être modifiées : réessayez.") from exc
    record_audit(
        actor=actor,
        action="stocks.created",
        obj=offer,
        data={"count": len(created), "source": "partner_api"},
    )
    check_fill_alert(offer=offer)
    return created


@transaction.atomic
def edit_event_stock(
    *,
    actor: User,
    stock: Stock,
    beginning: dt.datetime | _Unset = UNSET,
    booking_limit: dt.datetime | _Unset = UNSET,
    price_category_id: int | _Unset = UNSET,
    quantity: int | None | _Unset = UNSET,
    id_at_provider: str | None | _Unset = UNSET,
) -> Stock:
    """Change what is given of one stock; its booked people are told if its date moves."""
    offer = _locked(stock.offer)
    stock = (
        Stock.objects.select_for_update(of=("self",))
        .select_related("price_category")
        .get(pk=stock.pk, is_deleted=False)
    )
    before = _facts(stock)
    old_beginning = stock.beginning_datetime
    if not isinstance(price_category_id, _Unset):
        category = offer.price_categories.filter(pk=price_category_id).first()
        if category is None:
            raise PriceCategoryNotFound(ids=str(price_category_id))
        # Bookings keep the price they were made at; new ones take the new tariff.
        stock.price_category, stock.price = category, category.price
    if not isinstance(beginning, _Unset) and beginning != old_beginning:
        if beginning <= clock.now():
            raise e.PastDate(date=_when(offer, beginning))
        if isinstance(booking_limit, _Unset) and old_beginning is not None:
            booking_limit = _follow_limit(
                offer, stock.booking_limit_datetime, old_beginning, beginning
            )
        stock.beginning_datetime = beginning
    if not isinstance(booking_limit, _Unset):
        stock.booking_limit_datetime = booking_limit
    if (
        stock.beginning_datetime is not None
        and stock.booking_limit_datetime is not None
        and stock.booking_limit_datetime > stock.beginning_datetime
    ):
        raise e.InvalidBookingLimit()
    if not isinstance(quantity, _Unset):
        _check_quantity(quantity, stock.booked_quantity)
        stock.quantity = quantity
    if not isinstance(id_at_provider, _Unset):
        value = _clean_id(id_at_provider)
        others = offer.stocks.filter(is_deleted=False).exclude(pk=stock.pk)
        if value and value != stock.id_at_provider and others.filter(id_at_provider=value).exists():
            raise DuplicateIdAtProvider(value=value, what="une autre date de cette offre")
        stock.id_at_provider = value
    duplicate = offer.stocks.filter(
        is_deleted=False,
        beginning_datetime=stock.beginning_datetime,
        price_category_id=stock.price_category_id,
    ).exclude(pk=stock.pk)
    if duplicate.exists():
        raise e.OfferError(
            "L’offre a déjà une date le {date} pour ce tarif.",
            date=_when(offer, stock.beginning_datetime or clock.now()),
            field="beginningDatetime",
        )
    stock.save()
    after = _facts(stock)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        record_audit(
            actor=actor,
            action="stock.updated",
            obj=stock,
            before={k: before[k] for k in changed},
            after=changed,
        )
    if old_beginning is not None and stock.beginning_datetime != old_beginning:
        hooks.call(
            hooks.stocks_moved,
            actor=actor,
            stock_ids=[stock.pk],
            old_beginning=old_beginning,
            new_beginning=stock.beginning_datetime,
        )
    check_fill_alert(offer=offer)
    return stock


def _facts(stock: Stock) -> dict[str, object]:
    return {
        "beginning": str(stock.beginning_datetime),
        "booking_limit": str(stock.booking_limit_datetime),
        "price_category": stock.price_category_id,
        "quantity": stock.quantity,
        "id_at_provider": stock.id_at_provider,
    }


def _follow_limit(
    offer: Offer, limit: dt.datetime | None, old: dt.datetime, new: dt.datetime
) -> dt.datetime:
    """The booking limit of a moved date: the default stays default, else keeps its gap."""
    tz = offer_timezone(offer)
    if limit is None or limit == rules.default_booking_limit(old, tz):
        moved = rules.default_booking_limit(new, tz)
    else:
        moved = new - (old - limit)
    return min(moved, new)


@transaction.atomic
def delete_event_stock(*, actor: User, stock: Stock) -> None:
    """Delete one stock; its live bookings are cancelled and refunded (hook)."""
    offer = _locked(stock.offer)
    stock = Stock.objects.select_for_update().get(pk=stock.pk, is_deleted=False)
    hooks.call(hooks.stocks_deleted, actor=actor, stock_ids=[stock.pk])
    Stock.objects.filter(pk=stock.pk).update(is_deleted=True, updated_at=clock.now())
    record_audit(
        actor=actor,
        action="stock.deleted",
        obj=stock,
        before={
            "beginning": str(stock.beginning_datetime),
            "price_category": stock.price_category_id,
            "booked_quantity": stock.booked_quantity,
        },
    )
    check_fill_alert(offer=offer)


# --- publication ---------------------------------------------------------------------------


def submit_if_ready(*, actor: User, offer: Offer, resubmit_rejected: bool = False) -> Offer:
    """Submit a draft whose publication was asked for (date set) once it has a future date.

    The partner API publishes "now" or at a date, but our review needs a future date to
    submit: until the partner adds one, the offer waits as a draft with its publication
    date kept. `resubmit_rejected`: the partner explicitly asks again after a refusal.
    Caller holds the transaction.
    """
    offer = Offer.objects.get(pk=offer.pk)
    states = {Validation.DRAFT, Validation.REJECTED} if resubmit_rejected else {Validation.DRAFT}
    if offer.validation not in states or offer.publication_datetime is None:
        return offer
    future = offer.stocks.filter(is_deleted=False, beginning_datetime__gt=clock.now())
    if not future.exists():
        return offer
    return submit_offer(actor=actor, offer=offer)
