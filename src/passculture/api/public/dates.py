"""Partner API — Event Offer Stocks (operations of the reference with this tag)."""

from ninja import Router

router = Router(tags=["Event Offer Stocks"])
