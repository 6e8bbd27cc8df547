"""Writes on structures, memberships and venues. Each one is atomic and audited."""

import dataclasses
from collections.abc import Mapping
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from passculture.accounts.models import User
from passculture.core import clock
from passculture.core.audit import record_audit, snapshot
from passculture.core.errors import InvalidState, PermissionDenied
from passculture.notifications.services import notify
from passculture.offerers import rules
from passculture.offerers.errors import (
    AlreadyMember,
    InvalidCoordinates,
    InvalidPostalCode,
    InvalidSiren,
    InvalidSiret,
    LastMember,
    MissingSiretReason,
    SiretAlreadyUsed,
    SiretNotInSiren,
    VirtualVenueExists,
)
from passculture.offerers.models import Membership, Offerer, ValidationStatus, Venue

OFFERER_FIELDS = ["siren", "name", "street", "postal_code", "city", "department_code"]
VENUE_FIELDS = [
    "name", "public_name", "siret", "no_siret_reason", "is_virtual", "venue_type",
    "booking_email", "street", "postal_code", "city", "department_code", "latitude",
    "longitude", "motor_accessible", "visual_accessible", "hearing_accessible",
    "mental_accessible", "website", "phone",
]  # fmt: skip


def _staff() -> list[User]:
    return list(User.objects.filter(is_staff=True, is_active=True).order_by("pk"))


def _members(offerer: Offerer) -> list[User]:
    return list(
        User.objects.filter(
            memberships__offerer=offerer, memberships__status=ValidationStatus.VALIDATED
        ).order_by("pk")
    )


def _tell(
    users: list[User], *, template: str, context: Mapping[str, object], title: str, url: str
) -> None:
    """E-mail and in-app notice to each user; `link` in the e-mail is the notice's page."""
    for user in users:
        notify(
            template=template, context={**context, "link": settings.SITE_URL + url},
            category="account", user=user, title=title, url=url,
        )  # fmt: skip


def _department_or_error(postal_code: str) -> str:
    department = rules.department_from_postal_code(postal_code)
    if department is None:
        raise InvalidPostalCode()
    return department


@transaction.atomic
def create_offerer(
    *, actor: User, siren: str, name: str, street: str, postal_code: str, city: str
) -> Membership:
    """Register a structure (pending staff validation), or ask to join it if its SIREN exists."""
    siren = rules.normalize_digits(siren)
    if not rules.is_valid_siren(siren):
        raise InvalidSiren()
    existing = Offerer.objects.select_for_update().filter(siren=siren).first()
    if existing is not None:
        return request_membership(actor=actor, offerer=existing)
    department = _department_or_error(postal_code)
    try:
        with transaction.atomic():
            offerer = Offerer.objects.create(
                siren=siren,
                name=name.strip(),
                street=street.strip(),
                postal_code=postal_code.strip(),
                city=city.strip(),
                department_code=department,
            )
    except IntegrityError:  # created concurrently: join it instead
        return request_membership(actor=actor, offerer=Offerer.objects.get(siren=siren))
    # The creator is a validated member at once, so they can prepare venues
    # while staff checks the structure itself.
    membership = Membership.objects.create(
        user=actor, offerer=offerer, status=ValidationStatus.VALIDATED, validated_at=clock.now()
    )
    record_audit(
        actor=actor, action="offerer.created", obj=offerer, after=snapshot(offerer, OFFERER_FIELDS)
    )
    _tell(
        _staff(),
        template="offerer_to_review",
        context={"offerer_name": offerer.name, "siren": offerer.siren, "offerer_id": offerer.pk},
        title=f"Structure à valider : {offerer.name}",
        url=reverse("admin:offerers_offerer_change", args=[offerer.pk]),
    )
    return membership


@transaction.atomic
def update_offerer(
    *, actor: User, offerer: Offerer, name: str, street: str, postal_code: str, city: str
) -> Offerer:
    """Edit a structure's name and address (SIREN is immutable)."""
    before = snapshot(offerer, OFFERER_FIELDS)
    offerer.department_code = _department_or_error(postal_code)
    offerer.name, offerer.street = name.strip(), street.strip()
    offerer.postal_code, offerer.city = postal_code.strip(), city.strip()
    offerer.save()
    record_audit(
        actor=actor,
        action="offerer.updated",
        obj=offerer,
        before=before,
        after=snapshot(offerer, OFFERER_FIELDS),
    )
    return offerer


@transaction.atomic
def request_membership(*, actor: User, offerer: Offerer) -> Membership:
    """Ask to join an existing structure; its members and staff are told."""
    membership, created = Membership.objects.get_or_create(user=actor, offerer=offerer)
    if not created:
        if membership.status == ValidationStatus.REJECTED:
            membership.status = ValidationStatus.PENDING
            membership.save(update_fields=["status", "updated_at"])
        else:
            raise AlreadyMember()
    record_audit(actor=actor, action="membership.requested", obj=membership)
    context = {"offerer_name": offerer.name, "user_name": actor.full_name, "email": actor.email}
    title = f"Demande de rattachement à {offerer.name}"
    members = _members(offerer)
    # Members answer from the portal; staff who are not members, from the back office.
    _tell(
        members, template="membership_requested", context=context, title=title,
        url=reverse("pro:members", args=[offerer.pk]),
    )  # fmt: skip
    _tell(
        [user for user in _staff() if user not in members],
        template="membership_requested", context=context, title=title,
        url=reverse("admin:offerers_membership_change", args=[membership.pk]),
    )  # fmt: skip
    return membership


def _decide(
    *, actor: User, obj: Offerer | Membership, approve: bool, reason: str, kind: str
) -> None:
    pending = (
        obj.validation_status if isinstance(obj, Offerer) else obj.status
    ) == ValidationStatus.PENDING
    if not pending:
        raise InvalidState("Cette demande a déjà été traitée.")
    status = ValidationStatus.VALIDATED if approve else ValidationStatus.REJECTED
    if isinstance(obj, Offerer):
        obj.validation_status = status
        obj.rejection_reason = "" if approve else reason
    else:
        obj.status = status
    obj.validated_at = clock.now() if approve else None
    obj.save()
    record_audit(
        actor=actor,
        action=f"{kind}.{'validated' if approve else 'rejected'}",
        obj=obj,
        before={"status": ValidationStatus.PENDING},
        after={"status": status},
        data={"reason": reason} if reason else {},
    )


@transaction.atomic
def validate_offerer(*, actor: User, offerer: Offerer) -> Offerer:
    """Staff accepts a pending structure; its members get an e-mail."""
    offerer = Offerer.objects.select_for_update().get(pk=offerer.pk)
    _require_staff(actor)
    _decide(actor=actor, obj=offerer, approve=True, reason="", kind="offerer")
    _tell(
        _members(offerer),
        template="offerer_validated",
        context={"offerer_name": offerer.name},
        title=f"Structure validée : {offerer.name}",
        url=reverse("pro:offerer_detail", args=[offerer.pk]),
    )
    return offerer


@transaction.atomic
def reject_offerer(*, actor: User, offerer: Offerer, reason: str) -> Offerer:
    """Staff refuses a pending structure with a reason sent to its members."""
    offerer = Offerer.objects.select_for_update().get(pk=offerer.pk)
    _require_staff(actor)
    _decide(actor=actor, obj=offerer, approve=False, reason=reason, kind="offerer")
    _tell(
        _members(offerer),
        template="offerer_rejected",
        context={"offerer_name": offerer.name, "reason": reason},
        title=f"Structure non validée : {offerer.name}",
        url=reverse("pro:offerer_detail", args=[offerer.pk]),
    )
    return offerer


def _can_manage_members(actor: User, offerer: Offerer) -> bool:
    return (
        actor.is_staff
        or offerer.memberships.filter(user=actor, status=ValidationStatus.VALIDATED).exists()
    )


def _require_staff(actor: User) -> None:
    if not actor.is_staff:
        raise PermissionDenied()


@transaction.atomic
def decide_membership(*, actor: User, membership: Membership, approve: bool) -> Membership:
    """Staff or a validated member of the structure accepts/refuses a join request."""
    membership = (
        Membership.objects.select_for_update()
        .select_related("user", "offerer")
        .get(pk=membership.pk)
    )
    if not _can_manage_members(actor, membership.offerer):
        raise PermissionDenied()
    _decide(actor=actor, obj=membership, approve=approve, reason="", kind="membership")
    offerer = membership.offerer
    _tell(
        [membership.user],
        template="membership_validated" if approve else "membership_rejected",
        context={"offerer_name": offerer.name, "first_name": membership.user.first_name},
        title=f"Rattachement {'validé' if approve else 'refusé'} : {offerer.name}",
        url=(
            reverse("pro:offerer_detail", args=[offerer.pk]) if approve else reverse("pro:offerers")
        ),
    )
    return membership


@transaction.atomic
def remove_membership(*, actor: User, membership: Membership) -> None:
    """Detach a user from a structure; the last validated member cannot be removed."""
    membership = (
        Membership.objects.select_for_update().select_related("offerer").get(pk=membership.pk)
    )
    if not _can_manage_members(actor, membership.offerer):
        raise PermissionDenied()
    validated = membership.offerer.memberships.select_for_update().filter(
        status=ValidationStatus.VALIDATED
    )
    if membership.status == ValidationStatus.VALIDATED and validated.count() <= 1:
        raise LastMember()
    record_audit(
        actor=actor,
        action="membership.removed",
        obj=membership,
        before={"user": membership.user_id, "status": membership.status},
    )
    membership.delete()


@dataclasses.dataclass
class VenueData:
    """What a pro types for a venue (a form or an API maps onto this)."""

    name: str
    venue_type: str
    public_name: str = ""
    siret: str = ""
    no_siret_reason: str = ""
    is_virtual: bool = False
    booking_email: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    motor_accessible: bool = False
    visual_accessible: bool = False
    hearing_accessible: bool = False
    mental_accessible: bool = False
    website: str = ""
    phone: str = ""


def _clean_venue_data(offerer: Offerer, data: VenueData, venue: Venue | None) -> dict[str, object]:
    values = dataclasses.asdict(data)
    siret = rules.normalize_digits(data.siret)
    if data.is_virtual:
        values.update(siret=None, no_siret_reason="", street="", postal_code="", city="")
        values.update(department_code="", latitude=None, longitude=None)
        return values
    if siret:
        if not rules.is_valid_siret(siret):
            raise InvalidSiret()
        if not rules.siret_belongs_to_siren(siret, offerer.siren):
            raise SiretNotInSiren(siren=offerer.siren)
        clash = Venue.objects.filter(siret=siret)
        if venue is not None:
            clash = clash.exclude(pk=venue.pk)
        if clash.exists():
            raise SiretAlreadyUsed()
        values.update(siret=siret, no_siret_reason="")
    else:
        if not data.no_siret_reason.strip():
            raise MissingSiretReason()
        values["siret"] = None
    values["department_code"] = _department_or_error(data.postal_code)
    if data.latitude is None or data.longitude is None:
        raise InvalidCoordinates()
    if not rules.is_in_france(float(data.latitude), float(data.longitude)):
        raise InvalidCoordinates()
    values["latitude"] = Decimal(data.latitude).quantize(Decimal("0.00001"))
    values["longitude"] = Decimal(data.longitude).quantize(Decimal("0.00001"))
    return values


@transaction.atomic
def create_venue(*, actor: User, offerer: Offerer, data: VenueData) -> Venue:
    """Add a venue to a structure the caller already scoped to the actor."""
    Offerer.objects.select_for_update().get(pk=offerer.pk)  # serialise SIRET / virtual checks
    values = _clean_venue_data(offerer, data, None)
    if data.is_virtual and offerer.venues.filter(is_virtual=True).exists():
        raise VirtualVenueExists()
    try:
        with transaction.atomic():
            venue = Venue.objects.create(offerer=offerer, **values)
    except IntegrityError as exc:
        raise SiretAlreadyUsed() from exc
    record_audit(
        actor=actor, action="venue.created", obj=venue, after=snapshot(venue, VENUE_FIELDS)
    )
    return venue


@transaction.atomic
def update_venue(*, actor: User, venue: Venue, data: VenueData) -> Venue:
    """Edit a venue; a physical venue cannot become virtual or the reverse."""
    venue = Venue.objects.select_for_update().select_related("offerer").get(pk=venue.pk)
    before = snapshot(venue, VENUE_FIELDS)
    data.is_virtual = venue.is_virtual
    values = _clean_venue_data(venue.offerer, data, venue)
    for field, value in values.items():
        setattr(venue, field, value)
    try:
        with transaction.atomic():
            venue.save()
    except IntegrityError as exc:
        raise SiretAlreadyUsed() from exc
    record_audit(
        actor=actor,
        action="venue.updated",
        obj=venue,
        before=before,
        after=snapshot(venue, VENUE_FIELDS),
    )
    return venue
