"""Request bodies of the collective offer endpoints, and their translation into the
collective services' data (CollectiveOfferData + StockData).

Reference fields we cannot keep are accepted and ignored, so that an existing client works
unchanged: the image (collective offers have none here) and the accessibility flags (the
venue's apply). `totalPrice` is in euros, as in the reference; we store cents.
"""

import dataclasses
import datetime as dt
import decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import HttpRequest
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict

from passculture.api.public import collective_vocab as vocab
from passculture.api.public import scope
from passculture.api.public.collective_common import utc
from passculture.collective.models import CollectiveOffer, LocationType, School
from passculture.collective.services.offers import CollectiveOfferData, StockData
from passculture.core.errors import DomainError, NotFound
from passculture.offerers.models import Address, Venue
from passculture.offerers.rules import DEPARTMENTS
from passculture.offers.services.offers import AddressData

DEFAULT_TBD_COMMENT = "Lieu à définir avec l’établissement."
MAX_DURATION = 100_000  # minutes; far beyond any session, well inside the column


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Caractère nul interdit.")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
Price = Annotated[float, Field(allow_inf_nan=False)]


class InvalidOfferInput(DomainError):
    code = "invalid_collective_offer"
    message = "Offre collective invalide."


class LocationIn(Schema):
    """One model for the reference's four location shapes (told apart by their fields)."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["SCHOOL", "ADDRESS", "TO_BE_DEFINED"] | None = None
    isVenueAddress: bool | None = None
    addressId: int | None = None
    addressLabel: Text | None = Field(None, max_length=140)
    comment: Text | None = Field(None, max_length=200)


class OfferVenueIn(Schema):
    """Deprecated by the reference (use `location`); still read when `location` is absent."""

    model_config = ConfigDict(extra="forbid")
    addressType: Literal["offererVenue", "school", "other"]
    otherAddress: Text | None = Field(None, max_length=200)
    venueId: int | None = None


class _Common(Schema):
    model_config = ConfigDict(extra="forbid")
    durationMinutes: int | None = None
    educationalPriceDetail: Text | None = Field(None, max_length=1000)
    educationalInstitution: Text | None = None
    educationalInstitutionId: int | None = None
    location: LocationIn | None = None
    offerVenue: OfferVenueIn | None = None
    interventionArea: list[Text] | None = None
    isActive: bool | None = None
    nationalProgramId: int | None = None
    imageFile: Text | None = Field(None, description="Ignoré : pas d’image sur ces offres.")
    imageCredit: Text | None = Field(None, description="Ignoré : pas d’image sur ces offres.")


class PostCollectiveOfferBody(_Common):
    venueId: int
    name: Text
    description: Text
    formats: list[Text]
    bookingEmails: list[Text]
    contactEmail: Text
    contactPhone: Text
    domains: list[int]
    students: list[Text]
    startDatetime: dt.datetime
    endDatetime: dt.datetime | None = None
    bookingLimitDatetime: dt.datetime
    totalPrice: Price = Field(description="Prix total en euros.")
    numberOfTickets: int
    audioDisabilityCompliant: bool = Field(False, description="Ignoré : ceux du lieu valent.")
    mentalDisabilityCompliant: bool = Field(False, description="Ignoré : ceux du lieu valent.")
    motorDisabilityCompliant: bool = Field(False, description="Ignoré : ceux du lieu valent.")
    visualDisabilityCompliant: bool = Field(False, description="Ignoré : ceux du lieu valent.")


class PatchCollectiveOfferBody(_Common):
    """Every field optional: absent = unchanged. `null` is refused where it would blank a
    required value."""

    venueId: int | None = None
    name: Text | None = None
    description: Text | None = None
    formats: list[Text] | None = None
    bookingEmails: list[Text] | None = None
    contactEmail: Text | None = None
    contactPhone: Text | None = None
    domains: list[int] | None = None
    students: list[Text] | None = None
    startDatetime: dt.datetime | None = None
    endDatetime: dt.datetime | None = None
    bookingLimitDatetime: dt.datetime | None = None
    totalPrice: Price | None = Field(None, description="Prix total en euros.")
    numberOfTickets: int | None = None
    audioDisabilityCompliant: bool | None = None
    mentalDisabilityCompliant: bool | None = None
    motorDisabilityCompliant: bool | None = None
    visualDisabilityCompliant: bool | None = None


NOT_NULL = (
    "venueId", "name", "description", "formats", "contactEmail", "contactPhone", "domains",
    "students", "startDatetime", "bookingLimitDatetime", "totalPrice", "numberOfTickets",
    "isActive", "interventionArea",
)  # fmt: skip

# Field names of the collective services' errors → the reference's names.
FIELD_NAMES = {
    "name": "name", "description": "description", "domains": "domains", "levels": "students",
    "location_type": "location", "location_comment": "location", "address_street": "location",
    "address_postal_code": "location", "address_latitude": "location",
    "target_school": "educationalInstitutionId", "start_datetime": "startDatetime",
    "end_datetime": "endDatetime", "booking_limit_datetime": "bookingLimitDatetime",
    "price": "totalPrice", "number_of_pupils": "numberOfTickets", "kind": "global",
}  # fmt: skip


def rename_field(exc: DomainError) -> DomainError:
    """A service error, its field named as the partner sent it."""
    if exc.field in FIELD_NAMES:
        exc.field = FIELD_NAMES[exc.field]
    return exc


def _email(value: str, field: str) -> str:
    value = value.strip()
    try:
        validate_email(value)
        if len(value) > 254:  # the column's size
            raise DjangoValidationError("too long")
    except DjangoValidationError as exc:
        raise InvalidOfferInput(f"Adresse e-mail invalide : « {value} ».", field=field) from exc
    return value


def _cents(euros: float) -> int:
    cents = decimal.Decimal(str(euros)) * 100
    if cents != cents.to_integral_value():
        raise InvalidOfferInput("Le prix s’exprime en euros, au centime près.", field="totalPrice")
    return int(cents)


def _school(given: dict[str, Any], current: School | None) -> School | None:
    """The targeted school by id or UAI (both given: they must agree); null = none."""
    if "educationalInstitutionId" not in given and "educationalInstitution" not in given:
        return current
    school_id, uai = given.get("educationalInstitutionId"), given.get("educationalInstitution")
    if school_id is None and not uai:
        return None
    school = None
    if school_id is not None:
        school = School.objects.filter(pk=school_id).first()
    elif uai:
        school = School.objects.filter(uai=uai.strip().upper()).first()
    if school is None:
        raise NotFound("Établissement scolaire introuvable.", field="educationalInstitutionId")
    if school_id is not None and uai and school.uai != uai.strip().upper():
        raise InvalidOfferInput(
            "L’identifiant et l’UAI désignent deux établissements différents.",
            field="educationalInstitution",
        )
    return school


def _location(
    request: HttpRequest, given: dict[str, Any], offer: CollectiveOffer | None
) -> tuple[str, str, AddressData | None]:
    """(location type, comment, address) from `location`, else the deprecated `offerVenue`,
    else unchanged (a new offer happens at its venue)."""
    location, offer_venue = given.get("location"), given.get("offerVenue")
    if location:
        kind = location.get("type")
        if kind is None:  # the reference's shapes are told apart by their fields too
            if location.get("isVenueAddress") is not None or location.get("addressId"):
                kind = "ADDRESS"
            else:
                kind = "TO_BE_DEFINED" if location.get("comment") else "SCHOOL"
        if kind == "SCHOOL":
            return LocationType.SCHOOL, "", None
        if kind == "TO_BE_DEFINED":
            # The reference makes the comment optional; our teachers need a word on it.
            return LocationType.TO_BE_DEFINED, location.get("comment") or DEFAULT_TBD_COMMENT, None
        if location.get("isVenueAddress"):
            return LocationType.VENUE, "", None
        address_id = location.get("addressId")
        if address_id is None:
            raise InvalidOfferInput(
                "Donnez `addressId` (ou `isVenueAddress: true`).", field="location"
            )
        address = Address.objects.filter(pk=address_id).first()
        if address is None:
            raise NotFound(
                "Adresse introuvable : créez-la d’abord (POST /public/offers/v1/addresses).",
                field="location",
            )
        label = location.get("addressLabel")
        return LocationType.ADDRESS, "", _address_data(address, label)
    if offer_venue:
        kind = offer_venue["addressType"]
        if kind == "school":
            return LocationType.SCHOOL, "", None
        if kind == "other":
            comment = (offer_venue.get("otherAddress") or "").strip() or DEFAULT_TBD_COMMENT
            return LocationType.TO_BE_DEFINED, comment, None
        own_venue_id = offer.venue_id if offer is not None else given.get("venueId")
        other_id = offer_venue.get("venueId")
        if other_id is not None and other_id != own_venue_id:
            # Another venue of the key: the offer happens at that venue's address.
            other = scope.venue_or_404(request, other_id)
            if other.latitude is None or other.longitude is None or not other.street:
                raise InvalidOfferInput(
                    "Ce lieu n’a pas d’adresse complète : utilisez `location`.",
                    field="offerVenue",
                )
            return LocationType.ADDRESS, "", AddressData(
                street=other.street, postal_code=other.postal_code, city=other.city,
                latitude=decimal.Decimal(other.latitude),
                longitude=decimal.Decimal(other.longitude), label=other.display_name[:140],
            )  # fmt: skip
        return LocationType.VENUE, "", None
    if offer is None:
        return LocationType.VENUE, "", None
    current = None if offer.address is None else _address_data(offer.address, None)
    return offer.location_type, offer.location_comment, current


def _address_data(address: Address, label: str | None) -> AddressData:
    return AddressData(
        street=address.street,
        postal_code=address.postal_code,
        city=address.city,
        latitude=decimal.Decimal(address.latitude),
        longitude=decimal.Decimal(address.longitude),
        label=(address.label if label is None else label)[:140],
    )


def _check_plain(given: dict[str, Any]) -> None:
    for name in NOT_NULL:
        if name in given and given[name] is None:
            raise InvalidOfferInput("Ce champ peut être omis mais pas nul.", field=name)
    phone = given.get("contactPhone")
    if phone is not None and len(phone.strip()) > 20:
        raise InvalidOfferInput("Le téléphone fait 20 caractères au plus.", field="contactPhone")
    if len(given.get("description") or "") > 3000:
        raise InvalidOfferInput(
            "La description fait 3 000 caractères au plus.", field="description"
        )
    duration = given.get("durationMinutes")
    if duration is not None and not 0 <= duration <= MAX_DURATION:
        raise InvalidOfferInput("Durée invalide (en minutes).", field="durationMinutes")
    unknown = [d for d in given.get("interventionArea") or [] if d not in DEPARTMENTS]
    if unknown:
        raise InvalidOfferInput(
            "Départements inconnus : {values}.", field="interventionArea", values=", ".join(unknown)
        )
    if given.get("nationalProgramId") is not None:
        raise NotFound("Dispositif national inconnu.", field="nationalProgramId")


def _current(offer: CollectiveOffer | None) -> dict[str, Any]:
    """What a PATCH leaves unchanged, in the services' terms (a POST starts from nothing)."""
    if offer is None:
        return {
            "name": "", "description": "", "domains": [], "levels": [], "formats": [],
            "duration_minutes": None, "intervention_departments": [], "contact_email": "",
            "contact_phone": "", "start": None, "end": None, "limit": None, "price": 0,
            "pupils": 0, "price_detail": "",
        }  # fmt: skip
    stock = offer.stock
    return {
        "name": offer.name, "description": offer.description, "domains": list(offer.domains),
        "levels": list(offer.levels), "formats": list(offer.formats),
        "duration_minutes": offer.duration_minutes,
        "intervention_departments": list(offer.intervention_departments),
        "contact_email": offer.contact_email, "contact_phone": offer.contact_phone,
        "start": stock.start_datetime, "end": stock.end_datetime,
        "limit": stock.booking_limit_datetime, "price": stock.price,
        "pupils": stock.number_of_pupils, "price_detail": stock.price_detail,
    }  # fmt: skip


@dataclasses.dataclass
class OfferInput:
    venue: Venue
    data: CollectiveOfferData
    stock: StockData
    booking_emails: list[str] | None  # None: unchanged
    active: bool | None  # None: unchanged


def offer_input(
    request: HttpRequest,
    body: PostCollectiveOfferBody | PatchCollectiveOfferBody,
    offer: CollectiveOffer | None = None,
) -> OfferInput:
    """The services' data: the body's fields over the offer's current values (PATCH) or
    over nothing (POST). Refuses bad input with the reference's field names."""
    given = body.model_dump(exclude_unset=True)
    _check_plain(given)
    if offer is None:
        venue = scope.venue_or_404(request, given["venueId"])
    else:
        venue = offer.venue
        if given.get("venueId") not in (None, offer.venue_id):
            scope.venue_or_404(request, given["venueId"])
            raise InvalidOfferInput(
                "Le lieu d’une offre collective ne change pas : créez-en une autre.",
                field="venueId",
            )
    cur = _current(offer)
    if "domains" in given:
        cur["domains"] = vocab.domains_in(given["domains"])
    if "students" in given:
        cur["levels"] = vocab.levels_in(given["students"])
    if "formats" in given:
        cur["formats"] = vocab.formats_in(given["formats"])
    for ours, theirs in [
        ("name", "name"), ("description", "description"), ("contact_phone", "contactPhone"),
        ("intervention_departments", "interventionArea"), ("pupils", "numberOfTickets"),
    ]:  # fmt: skip
        if given.get(theirs) is not None:
            cur[ours] = given[theirs]
    if "durationMinutes" in given:
        cur["duration_minutes"] = given["durationMinutes"]
    if given.get("contactEmail") is not None:
        cur["contact_email"] = _email(given["contactEmail"], "contactEmail")
    if "educationalPriceDetail" in given:
        cur["price_detail"] = (given["educationalPriceDetail"] or "").strip()
    if given.get("totalPrice") is not None:
        cur["price"] = _cents(given["totalPrice"])
    if given.get("bookingLimitDatetime") is not None:
        cur["limit"] = utc(given["bookingLimitDatetime"])
    if given.get("startDatetime") is not None:
        cur["start"] = utc(given["startDatetime"])
        cur["end"] = cur["start"]  # the reference: no end given = the start
    if given.get("endDatetime") is not None:
        cur["end"] = utc(given["endDatetime"])
    location_type, comment, address = _location(request, given, offer)
    data = CollectiveOfferData(
        name=cur["name"].strip(),
        description=cur["description"].strip(),
        domains=cur["domains"],
        levels=cur["levels"],
        formats=cur["formats"],
        duration_minutes=cur["duration_minutes"],
        location_type=location_type,
        location_comment=comment,
        intervention_departments=list(dict.fromkeys(cur["intervention_departments"])),
        contact_email=cur["contact_email"],
        contact_phone=cur["contact_phone"].strip(),
        target_school=_school(given, offer.target_school if offer else None),
        address=address,
    )
    stock = StockData(
        start_datetime=cur["start"],
        end_datetime=cur["end"],
        booking_limit_datetime=cur["limit"],
        price=cur["price"],
        number_of_pupils=cur["pupils"],
        price_detail=cur["price_detail"],
    )
    emails = None
    if given.get("bookingEmails") is not None:
        emails = list(dict.fromkeys(_email(e, "bookingEmails") for e in given["bookingEmails"]))
    return OfferInput(venue, data, stock, emails, given.get("isActive"))
