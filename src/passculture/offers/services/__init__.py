"""Offer writes: details and lifecycle (offers.py), prices and dates (stocks.py), review."""

from passculture.offers.services.offers import (
    AddressData,
    OfferData,
    archive_offer,
    create_offer,
    duplicate_offer,
    set_offer_active,
    set_offer_image,
    update_offer,
)
from passculture.offers.services.review import approve_offer, reject_offer, submit_offer
from passculture.offers.services.stocks import (
    add_price_category,
    check_fill_alert,
    create_event_stocks,
    delete_date,
    delete_price_category,
    move_date,
    plan_event_stocks,
    set_thing_stock,
    update_price_category,
    update_stock,
    update_stock_quantities,
)

__all__ = [
    "AddressData", "OfferData", "add_price_category", "approve_offer", "archive_offer",
    "check_fill_alert", "create_event_stocks", "create_offer", "delete_date",
    "delete_price_category", "duplicate_offer", "move_date", "plan_event_stocks",
    "reject_offer", "set_offer_active", "set_offer_image", "set_thing_stock", "submit_offer",
    "update_offer", "update_price_category", "update_stock", "update_stock_quantities",
]  # fmt: skip
