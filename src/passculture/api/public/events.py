"""Partner API — Event Offers (operations of the reference with this tag)."""

from ninja import Router

router = Router(tags=["Event Offers"])
