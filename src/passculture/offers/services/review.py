"""Offer review: submit (rules decide auto-approval or staff review), approve, reject."""

from django.db import transaction
from django.db.models import Max
from django.urls import reverse

from passculture.accounts.models import User
from passculture.core import clock
from passculture.core.audit import record_audit
from passculture.core.errors import InvalidState, PermissionDenied
from passculture.notifications.services import notify
from passculture.offers import catalogue, hooks, rules
from passculture.offers import errors as e
from passculture.offers.models import Offer, ReviewRule, Validation


def _criteria() -> list[rules.ReviewCriteria]:
    return [
        rules.ReviewCriteria(
            name=rule.name,
            price_above=rule.price_above,
            words=tuple(w.strip() for w in rule.words.splitlines() if w.strip()),
            subcategories=tuple(rule.subcategories or ()),
            offerer_id=rule.offerer_id,
            venue_id=rule.venue_id,
        )
        for rule in ReviewRule.objects.filter(is_active=True)
    ]


def _pros(offer: Offer) -> list[User]:
    """The structure's validated members: each is told of the review result."""
    from passculture.offerers.models import ValidationStatus

    return list(
        User.objects.filter(
            memberships__offerer_id=offer.venue.offerer_id,
            memberships__status=ValidationStatus.VALIDATED,
        )
        .distinct()
        .order_by("pk")
    )


@transaction.atomic
def submit_offer(*, actor: User, offer: Offer) -> Offer:
    """Send a draft (or a rejected offer, once fixed) to publication.

    Trusted structures are approved at once; otherwise an offer matching an active staff
    rule waits for review, and any other offer is approved automatically.
    """
    offer = Offer.objects.select_for_update().select_related("venue__offerer").get(pk=offer.pk)
    if offer.validation not in {Validation.DRAFT, Validation.REJECTED}:
        raise InvalidState("Cette offre a déjà été envoyée.")
    if offer.archived_at is not None:
        raise e.OfferError("Une offre archivée ne se publie plus : dupliquez-la.")
    live = offer.stocks.filter(is_deleted=False)
    if catalogue.get_subcategory(offer.subcategory_id).is_event:
        live = live.filter(beginning_datetime__gt=clock.now())
    if not live.exists():
        raise e.NothingToSubmit()
    facts = rules.OfferFacts(
        name=offer.name,
        description=offer.description,
        subcategory_id=offer.subcategory_id,
        max_price=live.aggregate(m=Max("price"))["m"] or 0,
        offerer_id=offer.venue.offerer_id,
        venue_id=offer.venue_id,
    )
    matched = [] if offer.venue.offerer.is_trusted else rules.matching_rules(facts, _criteria())
    before = offer.validation
    offer.validation = Validation.PENDING if matched else Validation.APPROVED
    offer.rejection_reason = ""
    if offer.validation == Validation.APPROVED and offer.publication_datetime is None:
        offer.publication_datetime = clock.now()
    offer.save()
    record_audit(
        actor=actor,
        action="offer.submitted",
        obj=offer,
        before={"validation": before},
        after={"validation": offer.validation},
        data={"rules": matched, "trusted": offer.venue.offerer.is_trusted},
    )
    if matched:
        context = {"offer_name": offer.name, "offer_id": offer.pk, "rules": matched}
        for staff in User.objects.filter(is_staff=True, is_active=True).order_by("pk"):
            notify(
                template="offer_to_review", context=context, category="offer", user=staff,
                title=f"Offre à vérifier : {offer.name}",
                url=reverse("admin:offers_offer_change", args=[offer.pk]),
            )  # fmt: skip
    return offer


def _decide(*, actor: User, offer: Offer, approve: bool, reason: str) -> Offer:
    if not actor.is_staff:
        raise PermissionDenied()
    offer = Offer.objects.select_for_update().select_related("venue__offerer").get(pk=offer.pk)
    allowed = {Validation.PENDING} if approve else {Validation.PENDING, Validation.APPROVED}
    if offer.validation not in allowed:
        raise InvalidState("Cette offre n’attend pas de vérification.")
    if not approve and not reason.strip():
        raise e.OfferError(
            "Indiquez le motif du refus : il est envoyé à la structure.", field="reason"
        )
    before = offer.validation
    offer.validation = Validation.APPROVED if approve else Validation.REJECTED
    offer.rejection_reason = "" if approve else reason.strip()
    if approve and offer.publication_datetime is None:
        offer.publication_datetime = clock.now()
    offer.save()
    record_audit(
        actor=actor,
        action="offer.approved" if approve else "offer.rejected",
        obj=offer,
        before={"validation": before},
        after={"validation": offer.validation},
        data={} if approve else {"reason": offer.rejection_reason},
    )
    context = {"offer_name": offer.name, "offer_id": offer.pk, "reason": offer.rejection_reason}
    title = f"Offre {'validée' if approve else 'refusée'} : {offer.name}"
    for pro in _pros(offer):
        notify(
            template="offer_approved" if approve else "offer_rejected", context=context,
            category="offer", user=pro, title=title,
            url=reverse("pro:offer_edit", args=[offer.pk]),
        )  # fmt: skip
    if not approve:
        hooks.call(
            hooks.offer_rejected, actor=actor, offer_id=offer.pk, reason=offer.rejection_reason
        )
    return offer


@transaction.atomic
def approve_offer(*, actor: User, offer: Offer) -> Offer:
    """Staff publishes an offer that a rule held for review."""
    return _decide(actor=actor, offer=offer, approve=True, reason="")


@transaction.atomic
def reject_offer(*, actor: User, offer: Offer, reason: str) -> Offer:
    """Staff refuses an offer (pending or already published) with a reason for the venue."""
    return _decide(actor=actor, offer=offer, approve=False, reason=reason)
