"""Partner API — Collective Offers (operations of the reference with this tag)."""

from ninja import Router

router = Router(tags=["Collective Offers"])
