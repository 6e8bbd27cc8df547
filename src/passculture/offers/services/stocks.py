"""Prices and dates: price categories, the multi-date editor, quantities, moves, deletions."""

import dataclasses
import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.urls import reverse

from passculture.accounts.models import User
from passculture.core import clock
from passculture.core.audit import record_audit
from passculture.notifications.services import notify
from passculture.offers import catalogue, hooks, rules
from passculture.offers import errors as e
from passculture.offers.models import (
    MAX_PRICE_CENTS,
    Offer,
    PriceCategory,
    PriceCategoryLabel,
    Stock,
)


def offer_timezone(offer: Offer) -> ZoneInfo:
    department = offer.address.department_code if offer.address_id else offer.venue.department_code  # type: ignore[union-attr]
    return rules.timezone_for_department(department)


def _is_event(offer: Offer) -> bool:
    return catalogue.get_subcategory(offer.subcategory_id).is_event


def _check_price(price: int) -> None:
    if not 0 <= price <= MAX_PRICE_CENTS:
        raise e.InvalidPrice()


def _label_taken(offer: Offer, label: str, exclude_pk: int | None = None) -> bool:
    # Compared in Python: SQLite's LIKE (iexact) folds ASCII only ("Étudiant" vs "étudiant").
    others = offer.price_categories.exclude(pk=exclude_pk) if exclude_pk else offer.price_categories
    wanted = label.casefold()
    return any(other.casefold() == wanted for other in others.values_list("label", flat=True))


def _locked(offer: Offer) -> Offer:
    locked = (
        Offer.objects.select_for_update(of=("self",))
        .select_related("venue", "address")
        .get(pk=offer.pk)
    )
    if locked.archived_at is not None:
        raise e.OfferError("Une offre archivée ne se modifie plus : dupliquez-la.")
    return locked


@transaction.atomic
def add_price_category(*, actor: User, offer: Offer, label: str, price: int) -> PriceCategory:
    """Add a tariff (≤ 50 per offer); its label is remembered for the venue's next offers."""
    offer = _locked(offer)
    label = label.strip()
    if not label or len(label) > 50:
        raise e.OfferError("Donnez un libellé au tarif (50 caractères au plus).", field="label")
    _check_price(price)
    if offer.price_categories.count() >= rules.MAX_PRICE_CATEGORIES:
        raise e.TooManyPriceCategories()
    if _label_taken(offer, label):
        raise e.DuplicateLabel()
    category = PriceCategory.objects.create(offer=offer, label=label, price=price)
    PriceCategoryLabel.objects.get_or_create(venue_id=offer.venue_id, label=label)
    record_audit(
        actor=actor,
        action="price_category.created",
        obj=category,
        after={"offer": offer.pk, "label": label, "price": price},
    )
    return category


@transaction.atomic
def update_price_category(
    *, actor: User, category: PriceCategory, label: str, price: int
) -> PriceCategory:
    """Rename or reprice a tariff; its future dates take the new price (bookings keep theirs)."""
    _locked(category.offer)
    category = PriceCategory.objects.select_for_update().get(pk=category.pk)
    label = label.strip()
    if not label or len(label) > 50:
        raise e.OfferError("Donnez un libellé au tarif (50 caractères au plus).", field="label")
    _check_price(price)
    if _label_taken(category.offer, label, exclude_pk=category.pk):
        raise e.DuplicateLabel()
    before = {"label": category.label, "price": category.price}
    category.label, category.price = label, price
    category.save()
    Stock.objects.filter(price_category=category, is_deleted=False).update(price=price)
    PriceCategoryLabel.objects.get_or_create(venue_id=category.offer.venue_id, label=label)
    record_audit(
        actor=actor,
        action="price_category.updated",
        obj=category,
        before=before,
        after={"label": label, "price": price},
    )
    return category


@transaction.atomic
def delete_price_category(*, actor: User, category: PriceCategory) -> None:
    """Remove a tariff that no live date uses."""
    _locked(category.offer)
    if category.stocks.filter(is_deleted=False).exists():
        raise e.PriceCategoryInUse()
    record_audit(
        actor=actor,
        action="price_category.deleted",
        obj=category,
        before={"label": category.label, "price": category.price},
    )
    Stock.objects.filter(price_category=category).update(price_category=None)
    category.delete()


@transaction.atomic
def set_thing_stock(
    *,
    actor: User,
    offer: Offer,
    price: int,
    quantity: int | None,
    booking_limit_datetime: dt.datetime | None = None,
) -> Stock:
    """Create or update the single stock of a thing (book, subscription, card…)."""
    offer = _locked(offer)
    if _is_event(offer):
        raise e.IsAnEvent()
    if quantity is not None and quantity < 0:
        raise e.OfferError("Le nombre de places ne peut pas être négatif.", field="quantity")
    _check_price(price)
    stock = offer.stocks.select_for_update().filter(is_deleted=False).first()
    if stock is None:
        stock = Stock(offer=offer, price=price, quantity=quantity)
        before: dict[str, object] = {}
    else:
        before = {"price": stock.price, "quantity": stock.quantity}
        if quantity is not None and quantity < stock.booked_quantity:
            raise e.QuantityBelowBooked(quantity=quantity, booked=stock.booked_quantity)
        stock.price, stock.quantity = price, quantity
    stock.booking_limit_datetime = booking_limit_datetime
    stock.save()
    record_audit(
        actor=actor,
        action="stock.saved",
        obj=stock,
        before=before,
        after={"price": price, "quantity": quantity},
    )
    check_fill_alert(offer=offer)
    return stock


@dataclasses.dataclass(frozen=True)
class PlannedStock:
    beginning: dt.datetime
    price_category: PriceCategory
    exists: bool  # already a live stock at this date and price: it will be skipped


def plan_event_stocks(
    *, offer: Offer, beginnings: Sequence[dt.datetime], price_category_ids: Sequence[int]
) -> list[PlannedStock]:
    """The preview of the date editor: what a save would create, refusing what it must refuse."""
    if not _is_event(offer):
        raise e.NotAnEvent()
    if not beginnings:
        raise e.NoDates()
    categories = list(offer.price_categories.filter(pk__in=price_category_ids))
    if not categories or len(categories) != len(set(price_category_ids)):
        raise e.OfferError("Choisissez au moins un tarif de l’offre.", field="price_categories")
    now = clock.now()
    tz = offer_timezone(offer)
    for beginning in beginnings:
        if beginning <= now:
            local = beginning.astimezone(tz)
            raise e.PastDate(date=f"{local:%d/%m/%Y à %H:%M}")
    existing = set(
        offer.stocks.filter(is_deleted=False, beginning_datetime__in=beginnings).values_list(
            "beginning_datetime", "price_category_id"
        )
    )
    plan = [
        PlannedStock(b, c, (b, c.pk) in existing)
        for b in sorted(set(beginnings))
        for c in categories
    ]
    new = sum(1 for p in plan if not p.exists)
    total = offer.stocks.filter(is_deleted=False).count() + new
    if total > rules.MAX_STOCKS_PER_OFFER:
        raise e.TooManyStocks(total=f"{total:,}".replace(",", "\u202f"))
    return plan


@transaction.atomic
def create_event_stocks(
    *,
    actor: User,
    offer: Offer,
    beginnings: Sequence[dt.datetime],
    price_category_ids: Sequence[int],
    quantity: int | None,
    booking_limit_hours: int | None = None,
    rrule_text: str = "",
) -> list[Stock]:
    """Create every (date × tariff) stock at once; dates already present are skipped.

    booking_limit_hours None = the default limit (day before at 23:59 local time), else
    that many hours before the start.
    """
    offer = _locked(offer)
    if quantity is not None and quantity < 0:
        raise e.OfferError("Le nombre de places ne peut pas être négatif.", field="quantity")
    plan = plan_event_stocks(
        offer=offer, beginnings=beginnings, price_category_ids=price_category_ids
    )
    tz = offer_timezone(offer)
    now = clock.now()
    stocks = []
    for item in plan:
        if item.exists:
            continue
        if booking_limit_hours is None:
            limit = rules.default_booking_limit(item.beginning, tz)
        else:
            limit = item.beginning - dt.timedelta(hours=booking_limit_hours)
        stocks.append(
            Stock(
                offer=offer,
                price_category=item.price_category,
                price=item.price_category.price,
                beginning_datetime=item.beginning,
                booking_limit_datetime=max(limit, now)
                if limit < item.beginning
                else item.beginning,
                quantity=quantity,
                created_at=now,
            )
        )
    try:
        with transaction.atomic():
            created = Stock.objects.bulk_create(stocks, batch_size=1000)
    except IntegrityError as exc:  # a concurrent save created some of the same dates
        raise e.OfferError("Ces dates viennent d’être modifiées : rechargez la page.") from exc
    record_audit(
        actor=actor,
        action="stocks.created",
        obj=offer,
        data={
            "count": len(created),
            "skipped_existing": len(plan) - len(created),
            "quantity": quantity,
            "rrule": rrule_text,
            "price_categories": sorted(set(price_category_ids)),
        },
    )
    check_fill_alert(offer=offer)  # new seats lower the rate: the alert may re-arm
    return created


@transaction.atomic
def update_stock(
    *,
    actor: User,
    stock: Stock,
    quantity: int | None,
    booking_limit_datetime: dt.datetime | None = None,
) -> Stock:
    """Change one stock's contingent (never below what is booked) and booking limit."""
    _locked(stock.offer)
    stock = Stock.objects.select_for_update().get(pk=stock.pk, is_deleted=False)
    if quantity is not None and quantity < stock.booked_quantity:
        raise e.QuantityBelowBooked(quantity=quantity, booked=stock.booked_quantity)
    limit = booking_limit_datetime or stock.booking_limit_datetime
    if stock.beginning_datetime and limit and limit > stock.beginning_datetime:
        raise e.InvalidBookingLimit()
    before = {
        "quantity": stock.quantity,
        "booking_limit_datetime": str(stock.booking_limit_datetime),
    }
    stock.quantity, stock.booking_limit_datetime = quantity, limit
    stock.save(update_fields=["quantity", "booking_limit_datetime", "updated_at"])
    record_audit(
        actor=actor,
        action="stock.updated",
        obj=stock,
        before=before,
        after={"quantity": quantity, "booking_limit_datetime": str(limit)},
    )
    check_fill_alert(offer=stock.offer)
    return stock


@transaction.atomic
def update_stock_quantities(*, actor: User, offer: Offer, quantities: dict[int, int | None]) -> int:
    """Bulk edit of contingents; all or nothing (one refusal changes none of them)."""
    offer = _locked(offer)
    stocks = {
        s.pk: s
        for s in offer.stocks.select_for_update().filter(pk__in=quantities, is_deleted=False)
    }
    if len(stocks) != len(quantities):
        raise e.OfferError("Certaines dates n’existent plus : rechargez la page.")
    changed = []
    for pk, quantity in quantities.items():
        stock = stocks[pk]
        if quantity is not None and quantity < stock.booked_quantity:
            raise e.QuantityBelowBooked(quantity=quantity, booked=stock.booked_quantity)
        if stock.quantity != quantity:
            changed.append({"stock": pk, "before": stock.quantity, "after": quantity})
            stock.quantity = quantity
    Stock.objects.bulk_update(
        [stocks[int(str(c["stock"]))] for c in changed], ["quantity"], batch_size=500
    )
    if changed:
        record_audit(
            actor=actor, action="stocks.quantities_updated", obj=offer, data={"changes": changed}
        )
    check_fill_alert(offer=offer)
    return len(changed)


@transaction.atomic
def move_date(
    *, actor: User, offer: Offer, beginning: dt.datetime, new_beginning: dt.datetime
) -> list[Stock]:
    """Move every tariff of one date; booking limits follow; booked people are told (hook)."""
    offer = _locked(offer)
    if new_beginning <= clock.now():
        raise e.PastDate(date=f"{new_beginning.astimezone(offer_timezone(offer)):%d/%m/%Y à %H:%M}")
    stocks = list(
        offer.stocks.select_for_update().filter(is_deleted=False, beginning_datetime=beginning)
    )
    if not stocks:
        raise e.OfferError("Cette date n’existe plus : rechargez la page.")
    if offer.stocks.filter(is_deleted=False, beginning_datetime=new_beginning).exists():
        raise e.OfferError("L’offre a déjà une date à ce moment-là.", field="beginning_datetime")
    tz = offer_timezone(offer)
    for stock in stocks:
        default = stock.booking_limit_datetime == rules.default_booking_limit(beginning, tz)
        delta = stock.booking_limit_datetime - beginning if stock.booking_limit_datetime else None
        stock.beginning_datetime = new_beginning
        if default or delta is None:
            stock.booking_limit_datetime = rules.default_booking_limit(new_beginning, tz)
        else:
            stock.booking_limit_datetime = new_beginning + delta
        stock.booking_limit_datetime = min(stock.booking_limit_datetime, new_beginning)
    Stock.objects.bulk_update(stocks, ["beginning_datetime", "booking_limit_datetime"])
    ids = [s.pk for s in stocks]
    record_audit(
        actor=actor,
        action="stocks.date_moved",
        obj=offer,
        before={"beginning": beginning.isoformat()},
        after={"beginning": new_beginning.isoformat()},
        data={"stocks": ids},
    )
    hooks.call(
        hooks.stocks_moved,
        actor=actor,
        stock_ids=ids,
        old_beginning=beginning,
        new_beginning=new_beginning,
    )
    return stocks


@transaction.atomic
def delete_date(*, actor: User, offer: Offer, beginning: dt.datetime) -> int:
    """Delete every tariff of one date; its bookings are cancelled and refunded (hook)."""
    offer = _locked(offer)
    stocks = list(
        offer.stocks.select_for_update().filter(is_deleted=False, beginning_datetime=beginning)
    )
    if not stocks:
        raise e.OfferError("Cette date n’existe plus : rechargez la page.")
    ids = [s.pk for s in stocks]
    hooks.call(hooks.stocks_deleted, actor=actor, stock_ids=ids)
    Stock.objects.filter(pk__in=ids).update(is_deleted=True, updated_at=clock.now())
    record_audit(
        actor=actor,
        action="stocks.date_deleted",
        obj=offer,
        before={"beginning": beginning.isoformat(), "stocks": ids},
    )
    check_fill_alert(offer=offer)
    return len(ids)


def _tell_fill_alert(*, offer: Offer, rate: int) -> None:
    """The e-mail to the offer's booking address (else the venue's); the structure's
    validated members see it in-app only (the address already reaches the right desk)."""
    from passculture.offerers.models import ValidationStatus

    template, category = "offer_fill_alert", "offer"
    context = {
        "offer_name": offer.name, "threshold": offer.fill_alert_threshold, "rate": rate,
        "offer_id": offer.pk,
    }  # fmt: skip
    address = offer.booking_email or offer.venue.booking_email
    if address:
        notify(template=template, context=context, category=category, email=address, in_app=False)
    members = User.objects.filter(
        memberships__offerer_id=offer.venue.offerer_id,
        memberships__status=ValidationStatus.VALIDATED,
    )
    for member in members.distinct().order_by("pk"):
        notify(
            template=template, context=context, category=category, user=member,
            email_user=False, title=f"« {offer.name} » est remplie à {rate} %",
            url=reverse("pro:offer_dates", args=[offer.pk]),
        )  # fmt: skip


def check_fill_alert(*, offer: Offer) -> bool:
    """E-mail the venue once when the offer's contingents pass its alert threshold.

    Called (inside the caller's transaction) after bookings and quantity changes; the
    alert re-arms when the rate falls back under the threshold (seats added).
    """
    offer = Offer.objects.select_related("venue").get(pk=offer.pk)
    if offer.fill_alert_threshold is None:
        return False
    rate = rules.aggregate_fill_rate(
        offer.stocks.filter(is_deleted=False).values_list("booked_quantity", "quantity")
    )
    reached = rate is not None and rate * 100 >= offer.fill_alert_threshold
    if reached and offer.fill_alert_sent_at is None:
        Offer.objects.filter(pk=offer.pk).update(fill_alert_sent_at=clock.now())
        _tell_fill_alert(offer=offer, rate=round((rate or 0) * 100))
        record_audit(actor="SYSTEM", action="offer.fill_alert_sent", obj=offer, data={"rate": rate})
        return True
    if not reached and offer.fill_alert_sent_at is not None:
        Offer.objects.filter(pk=offer.pk).update(fill_alert_sent_at=None)
    return False
