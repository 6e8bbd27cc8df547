"""Partner API — Images (operations of the reference with this tag)."""

from ninja import Router

router = Router(tags=["Images"])
