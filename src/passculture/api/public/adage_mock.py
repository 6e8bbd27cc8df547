"""Partner API — Adage Mock (Collective Bookings) (operations of the reference with this tag)."""

from ninja import Router

router = Router(tags=["Adage Mock (Collective Bookings)"])
