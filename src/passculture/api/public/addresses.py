"""Partner API — Addresses: shared places where an offer happens away from its venue.

Addresses are not owned by a provider (any key may read or reuse one), as in the reference.
"""

from decimal import Decimal
from typing import Annotated

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from passculture.api.public import scope
from passculture.offerers import address_services
from passculture.offerers.models import Address

router = Router(tags=["Addresses"])

POSTAL_CODE_PATTERN = r"^(?:0[1-9]|[1-8]\d|9[0-8])\d{3}$"


class AddressModel(Schema):
    street: str = Field(..., min_length=1, max_length=200)
    city: str = Field(..., min_length=1, max_length=200)
    postalCode: str = Field(..., pattern=POSTAL_CODE_PATTERN)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)


class AddressResponse(Schema):
    id: int
    banId: str | None = None
    street: str | None = None
    postalCode: str | None = None
    city: str | None = None
    latitude: float
    longitude: float


class SearchAddressResponse(Schema):
    addresses: list[AddressResponse]


def address_out(address: Address) -> AddressResponse:
    # No national address base here: banId stays null.
    return AddressResponse(
        id=address.pk,
        street=address.street,
        postalCode=address.postal_code,
        city=address.city,
        latitude=float(address.latitude),
        longitude=float(address.longitude),
    )


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@router.post(
    "/addresses",
    response=AddressResponse,
    summary="Create Address",
    operation_id="CreateAddress",
)
def create_address(request: HttpRequest, payload: AddressModel) -> AddressResponse:
    # 200 as the reference, whether the address is new or already known.
    address, _ = address_services.find_or_create_address(
        actor=scope.actor(request),
        street=payload.street,
        postal_code=payload.postalCode,
        city=payload.city,
        latitude=_decimal(payload.latitude),
        longitude=_decimal(payload.longitude),
    )
    return address_out(address)


@router.get(
    "/addresses/search",
    response=SearchAddressResponse,
    summary="Search Addresses",
    operation_id="SearchAddresses",
)
def search_addresses(
    request: HttpRequest,
    street: Annotated[str, Query(min_length=1, max_length=200)],
    city: Annotated[str, Query(min_length=1, max_length=200)],
    postalCode: Annotated[str, Query(pattern=POSTAL_CODE_PATTERN)],
    latitude: Annotated[float | None, Query(ge=-90, le=90)] = None,
    longitude: Annotated[float | None, Query(ge=-180, le=180)] = None,
) -> SearchAddressResponse:
    found = address_services.search_addresses(
        street=street,
        postal_code=postalCode,
        city=city,
        latitude=latitude,
        longitude=longitude,
    )
    return SearchAddressResponse(addresses=[address_out(a) for a in found])


@router.get(
    "/addresses/{address_id}",
    response=AddressResponse,
    summary="Get Address",
    operation_id="GetAddress",
)
def get_address(request: HttpRequest, address_id: int) -> AddressResponse:
    address = Address.objects.filter(pk=address_id).first()
    if address is None:
        raise Http404("Adresse introuvable.")
    return address_out(address)
