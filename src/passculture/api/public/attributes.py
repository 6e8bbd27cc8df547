"""Partner API — Offer Attributes: categories with their fields, show and music types.

Everything comes from our catalogue (offers/catalogue.py, catalogue_types.py), whose codes
are the reference's. Lists are static: answered without touching the database.
"""

from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema

from passculture.api.public.events_music_types import LEGACY_MUSIC_TYPES
from passculture.offers import catalogue
from passculture.offers.catalogue_types import EVENT_MUSIC_TYPES, MUSIC_TYPES, SHOW_TYPES

router = Router(tags=["Offer Attributes"])

# Things a partner creates through POST /products (the reference's product creation
# categories). Books, records and other barcoded goods go through the EAN endpoints.
PRODUCT_CATEGORY_IDS = frozenset({
    "ABO_BIBLIOTHEQUE", "ABO_CONCERT", "ABO_LIVRE_NUMERIQUE", "ABO_MEDIATHEQUE",
    "ABO_PLATEFORME_MUSIQUE", "ABO_PLATEFORME_VIDEO", "ABO_PRATIQUE_ART", "ABO_PRESSE_EN_LIGNE",
    "ABO_SPECTACLE", "ACHAT_INSTRUMENT", "APP_CULTURELLE", "AUTRE_SUPPORT_NUMERIQUE",
    "CAPTATION_MUSIQUE", "CARTE_JEUNES", "CARTE_MUSEE", "LIVRE_AUDIO_PHYSIQUE",
    "LIVRE_NUMERIQUE", "LOCATION_INSTRUMENT", "PARTITION", "PLATEFORME_PRATIQUE_ARTISTIQUE",
    "PODCAST", "PRATIQUE_ART_VENTE_DISTANCE", "SPECTACLE_ENREGISTRE", "SUPPORT_PHYSIQUE_FILM",
    "TELECHARGEMENT_LIVRE_AUDIO", "TELECHARGEMENT_MUSIQUE", "VISITE_VIRTUELLE", "VOD",
})  # fmt: skip
_LOCATION_TYPES = {"online": "DIGITAL", "offline": "PHYSICAL"}


class EventCategoryResponse(Schema):
    id: str
    conditionalFields: dict[str, bool]


class ProductCategoryResponse(Schema):
    id: str
    conditionalFields: dict[str, bool]
    locationType: Literal["DIGITAL", "PHYSICAL"] | None = None


class CodeLabel(Schema):
    id: str
    label: str


@router.get(
    "/events/categories",
    response=list[EventCategoryResponse],
    summary="Get Event Categories",
    operation_id="GetEventCategories",
)
def event_categories(request: HttpRequest) -> list[EventCategoryResponse]:
    # The reference types `id` with an enum that lists product ids only (two enums share
    # one name there); clients expect, and get, the event subcategory ids they post.
    return [
        EventCategoryResponse(id=sub.id, conditionalFields=catalogue.conditional_fields(sub))
        for sub in catalogue.selectable_subcategories()
        if sub.is_event
    ]


@router.get(
    "/products/categories",
    response=list[ProductCategoryResponse],
    summary="Get Product Categories",
    operation_id="GetProductCategories",
    tags=["Product Offers"],
)
def product_categories(request: HttpRequest) -> list[ProductCategoryResponse]:
    return [
        ProductCategoryResponse(
            id=sub.id,
            conditionalFields=catalogue.conditional_fields(sub),
            locationType=_LOCATION_TYPES.get(sub.online),  # type: ignore[arg-type]
        )
        for sub in catalogue.selectable_subcategories()
        if not sub.is_event and sub.id in PRODUCT_CATEGORY_IDS
    ]


def _codes(table: dict[str, str]) -> list[CodeLabel]:
    return [CodeLabel(id=code, label=label) for code, label in table.items()]


@router.get(
    "/show_types",
    response=list[CodeLabel],
    summary="Get Show Types",
    operation_id="GetShowTypes",
)
def show_types(request: HttpRequest) -> list[CodeLabel]:
    return _codes(SHOW_TYPES)


@router.get(
    "/music_types",
    response=list[CodeLabel],
    summary="[LEGACY] Get music types",
    operation_id="GetMusicTypes",
    deprecated=True,
)
def legacy_music_types(request: HttpRequest) -> list[CodeLabel]:
    # Still accepted on input: each is read as its nearest current genre.
    return _codes(LEGACY_MUSIC_TYPES)


@router.get(
    "/music_types/all",
    response=list[CodeLabel],
    summary="Get Music Types",
    operation_id="GetAllTiteliveMusicTypes",
)
def music_types(request: HttpRequest) -> list[CodeLabel]:
    return _codes(MUSIC_TYPES)


@router.get(
    "/music_types/event",
    response=list[CodeLabel],
    summary="Get Events Music Types",
    operation_id="GetEventTiteliveMusicTypes",
)
def event_music_types(request: HttpRequest) -> list[CodeLabel]:
    return _codes(EVENT_MUSIC_TYPES)
