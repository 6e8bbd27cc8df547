"""A teacher's favourite collective offers (bookmarks; no effect on anyone else)."""

from django.db import transaction

from passculture.accounts.models import User
from passculture.collective import errors as e
from passculture.collective.models import CollectiveOffer, Favourite
from passculture.collective.services.bookings import membership_of
from passculture.core.audit import record_audit
from passculture.offerers.models import ValidationStatus
from passculture.offers.models import Validation


@transaction.atomic
def add_favourite(*, user: User, offer_id: int) -> Favourite:
    """Bookmark a published offer (idempotent); the user must belong to a school."""
    membership_of(user)
    offer = CollectiveOffer.objects.filter(
        pk=offer_id,
        validation=Validation.APPROVED,
        is_active=True,
        archived_at__isnull=True,
        venue__offerer__validation_status=ValidationStatus.VALIDATED,
    ).first()
    if offer is None:
        raise e.CollectiveError("Cette offre n’est plus publiée : elle ne peut pas être ajoutée.")
    favourite, created = Favourite.objects.get_or_create(user=user, offer=offer)
    if created:
        record_audit(actor=user, action="collective_favourite.added", obj=favourite)
    return favourite


@transaction.atomic
def remove_favourite(*, user: User, offer_id: int) -> bool:
    """Remove a bookmark (idempotent); True when one was removed."""
    favourite = Favourite.objects.select_for_update().filter(user=user, offer_id=offer_id).first()
    if favourite is None:
        return False
    record_audit(
        actor=user,
        action="collective_favourite.removed",
        obj=favourite,
        before={"offer": offer_id},
    )
    favourite.delete()
    return True
