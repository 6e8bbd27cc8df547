"""ADAGE-style server API: the ministry's tool confirms/refuses pre-bookings and reads a
school's bookings and budget. Auth: `Authorization: Bearer <settings.ADAGE_API_KEY>`.

Errors are JSON {code, message}: 400 bad input, 401 bad key, 404 unknown booking or school,
409 refused by the booking flow (deadline passed, budget insufficient, wrong status…).
"""

import hmac
from typing import Annotated

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Body, NinjaAPI, Path, Query
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from passculture.api.adage.schemas import (
    BookingOut,
    BudgetOut,
    ErrorOut,
    RefuseIn,
    SchoolBookingsOut,
)
from passculture.collective.errors import InvalidUai
from passculture.collective.services import adage
from passculture.core.errors import DomainError, NotFound

BAD_INPUT = (InvalidUai, adage.InvalidYear)
MAX_ID = 2**63 - 1
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut}

BookingId = Annotated[int, Path(ge=1, le=MAX_ID, description="Identifiant de la réservation")]
Uai = Annotated[str, Path(max_length=20, description="Code UAI (ex. 0750654D)")]
YearQuery = Annotated[
    str | None,
    Query(max_length=9, description="Année scolaire « AAAA-AAAA » ; par défaut l’année en cours"),
]


class AdageKey(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> str | None:
        expected = getattr(settings, "ADAGE_API_KEY", "")
        if not expected:  # no key configured: the API is disabled
            return None
        if hmac.compare_digest(token.encode(), expected.encode()):
            return "adage"
        return None


api = NinjaAPI(
    title="passculture — API ADAGE",
    version="1",
    description=__doc__ or "",
    urls_namespace="api-adage",
    docs_url="/docs",
    auth=AdageKey(),
)


def _error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message}, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    if isinstance(exc, BAD_INPUT):
        status = 400
    elif isinstance(exc, NotFound):
        status = 404
    else:
        status = 409
    return _error(request, status, exc.code, exc.text)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(
        request, 401, "unauthorized", "Clé d’API ADAGE absente ou invalide (Authorization: Bearer)."
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(ValidationError)
def invalid_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = sorted({".".join(str(p) for p in e.get("loc", ())[1:]) or "body" for e in exc.errors})
    return _error(request, 400, "invalid_request", "Requête invalide : " + ", ".join(fields) + ".")


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "Élément introuvable.")


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:  # e.g. a body that is not JSON
        return _error(request, 400, "invalid_request", "Requête invalide : corps JSON illisible.")
    return _error(request, exc.status_code, "http_error", str(exc))


@api.post(
    "/bookings/{booking_id}/confirm",
    response={200: BookingOut, **ERRORS},
    summary="Confirmer une préréservation (au nom du chef d’établissement)",
)
def confirm_booking(request: HttpRequest, booking_id: BookingId) -> BookingOut:
    booking = adage.confirm_for_ministry(booking_id=booking_id)
    return BookingOut.of(adage.get_booking(booking.pk))


@api.post(
    "/bookings/{booking_id}/refuse",
    response={200: BookingOut, **ERRORS},
    summary="Refuser une préréservation (ou une réservation confirmée jusqu’à J-15)",
)
def refuse_booking(
    request: HttpRequest, booking_id: BookingId, payload: Body[RefuseIn | None] = None
) -> BookingOut:
    comment = payload.comment if payload else ""
    booking = adage.refuse_for_ministry(booking_id=booking_id, comment=comment)
    return BookingOut.of(adage.get_booking(booking.pk))


@api.get(
    "/schools/{uai}/bookings",
    response={200: SchoolBookingsOut, **ERRORS},
    summary="Préréservations et réservations d’un établissement pour une année scolaire",
)
def school_bookings(request: HttpRequest, uai: Uai, year: YearQuery = None) -> SchoolBookingsOut:
    school, code, rows = adage.school_bookings(uai=uai, year=year)
    return SchoolBookingsOut(
        uai=school.uai,
        school_name=school.name,
        year=code,
        bookings=[BookingOut.of(b) for b in rows],
    )


@api.get(
    "/schools/{uai}/budget",
    response={200: BudgetOut, **ERRORS},
    summary="Budget d’un établissement pour une année scolaire (centimes)",
)
def school_budget(request: HttpRequest, uai: Uai, year: YearQuery = None) -> BudgetOut:
    view = adage.school_budget(uai=uai, year=year)
    return BudgetOut(
        uai=view.uai, year=view.year, amount=view.amount, provisional=view.provisional,
        spendable=view.spendable, committed=view.committed, remaining=view.remaining,
    )  # fmt: skip
