"""Pro-side collective writes: a venue's collective profile, answering a showcase request."""

import dataclasses

from django.db import IntegrityError, transaction

from passculture.accounts.models import User
from passculture.collective import labels
from passculture.collective.errors import CollectiveError
from passculture.collective.models import (
    CollectiveOffer,
    CollectiveRequest,
    School,
    VenueCollectiveProfile,
)
from passculture.collective.services.offers import (
    CollectiveOfferData,
    StockData,
    create_collective_offer,
)
from passculture.core.audit import record_audit, snapshot
from passculture.core.errors import InvalidState
from passculture.offerers.models import Venue
from passculture.offerers.rules import DEPARTMENTS

PROFILE_FIELDS = [
    "description", "domains", "levels", "formats", "intervention_departments", "all_metropole",
    "contact_email", "contact_phone",
]  # fmt: skip


class InvalidCollectiveProfile(CollectiveError):
    code = "invalid_collective_profile"
    message = "Profil collectif invalide."


class UnknownSchool(CollectiveError):
    code = "unknown_school"
    message = (
        "Aucun établissement scolaire connu avec l’UAI « {uai} ». "
        "Vérifiez le code dans l’annuaire de l’éducation."
    )
    field = "target_uai"


@dataclasses.dataclass
class CollectiveProfileData:
    description: str = ""
    domains: list[str] = dataclasses.field(default_factory=list)
    levels: list[str] = dataclasses.field(default_factory=list)
    formats: list[str] = dataclasses.field(default_factory=list)
    intervention_departments: list[str] = dataclasses.field(default_factory=list)
    all_metropole: bool = False
    contact_email: str = ""
    contact_phone: str = ""


def _check_profile(data: CollectiveProfileData) -> None:
    for name, vocabulary in [
        ("domains", labels.DOMAINS),
        ("levels", labels.LEVELS),
        ("formats", labels.FORMATS),
        ("intervention_departments", DEPARTMENTS),
    ]:
        unknown = [key for key in getattr(data, name) if key not in vocabulary]
        if unknown:
            raise InvalidCollectiveProfile(
                "Valeur inconnue : {values}.", field=name, values=", ".join(unknown)
            )
    if len(data.description) > 3000:
        raise InvalidCollectiveProfile(
            "La présentation fait 3 000 caractères au plus.", field="description"
        )
    if not data.contact_email.strip() and not data.contact_phone.strip():
        raise InvalidCollectiveProfile(
            "Indiquez un e-mail ou un téléphone de contact pour les enseignants.",
            field="contact_email",
        )


@transaction.atomic
def save_collective_profile(
    *, actor: User, venue: Venue, data: CollectiveProfileData
) -> VenueCollectiveProfile:
    """Create or update a venue's collective profile (caller scoped the venue); audited."""
    _check_profile(data)
    values = dataclasses.asdict(data)
    values["description"] = values["description"].strip()
    values["contact_email"] = values["contact_email"].strip()
    values["contact_phone"] = values["contact_phone"].strip()[:20]
    # "Toute la métropole" replaces a list of départements.
    if data.all_metropole:
        values["intervention_departments"] = []
    profile = VenueCollectiveProfile.objects.select_for_update().filter(venue=venue).first()
    if profile is None:
        try:
            with transaction.atomic():
                profile = VenueCollectiveProfile.objects.create(venue=venue, **values)
        except IntegrityError:  # created concurrently: update that one below
            profile = VenueCollectiveProfile.objects.select_for_update().get(venue=venue)
        else:
            record_audit(
                actor=actor, action="collective_profile.created", obj=profile,
                after=snapshot(profile, PROFILE_FIELDS),
            )  # fmt: skip
            return profile
    before = snapshot(profile, PROFILE_FIELDS)
    for key, value in values.items():
        setattr(profile, key, value)
    profile.save()
    record_audit(
        actor=actor,
        action="collective_profile.updated",
        obj=profile,
        before=before,
        after=snapshot(profile, PROFILE_FIELDS),
    )
    return profile


def school_by_uai(uai: str) -> School:
    """The school with this UAI, or UnknownSchool (the UAI's shape is checked by the caller)."""
    code = uai.strip().upper()
    school = School.objects.filter(uai=code).first()
    if school is None:
        raise UnknownSchool(uai=code)
    return school


@transaction.atomic
def answer_request(
    *, actor: User, request_id: int, data: CollectiveOfferData, stock: StockData
) -> CollectiveOffer:
    """The venue answers a teacher's request with a bookable offer (caller scoped the request).

    The new offer is a draft linked to its showcase; the request records it as its answer.
    """
    request = (
        CollectiveRequest.objects.select_for_update(of=("self",))
        .select_related("template__venue")
        .get(pk=request_id)
    )
    if request.answered_offer_id is not None:
        raise InvalidState("Vous avez déjà répondu à cette demande par une offre.")
    offer = create_collective_offer(
        actor=actor,
        venue=request.template.venue,
        data=data,
        stock=stock,
        template_offer=request.template,
    )
    request.answered_offer = offer
    request.save(update_fields=["answered_offer", "updated_at"])
    record_audit(
        actor=actor,
        action="collective_request.answered",
        obj=request,
        after={"offer": offer.pk},
    )
    return offer
