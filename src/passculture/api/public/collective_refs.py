"""Partner API — Collective Offer Attributes (operations of the reference with this tag)."""

from ninja import Router

router = Router(tags=["Collective Offer Attributes"])
