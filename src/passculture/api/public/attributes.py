"""Partner API — Offer Attributes (operations of the reference with this tag)."""

from ninja import Router

router = Router(tags=["Offer Attributes"])
