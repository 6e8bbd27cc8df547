"""Partner API — Event Offer Price Categories (operations of the reference with this tag)."""

from ninja import Router

router = Router(tags=["Event Offer Price Categories"])
