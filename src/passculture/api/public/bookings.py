"""Partner API — Bookings (operations of the reference with this tag)."""

from ninja import Router

router = Router(tags=["Bookings"])
