"""The NinjaAPI of the app, v1: routers, bearer auth, and errors as `{"code", "message"}`."""

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.renderers import JSONRenderer

from passculture.api.app_v1 import auth, auth_routes, bookings, me, offers
from passculture.api.app_v1.docs import OfflineSwagger
from passculture.core.errors import DomainError, PermissionDenied

# Refusals that are about the state of the world rather than the request itself.
CONFLICT_CODES = {"sold_out", "already_booked"}
STATUS_BY_CODE = {"too_many_login_attempts": 429, "invalid_credentials": 401}


class Utf8JSONRenderer(JSONRenderer):
    """French messages readable as is (« é », not \\u00e9); the body is UTF-8 anyway."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="passculture — API de l’application jeunes",
    version="1",
    description=(
        "Pour l’application mobile des jeunes : profil et crédit, offres autour de soi, "
        "réservation et annulation. Authentification : `POST /auth/token` puis en-tête "
        "`Authorization: Bearer <jeton>`. Montants en centimes, dates en UTC (ISO 8601). "
        'Erreurs : `{"code": …, "message": …}` avec un code stable et un message en français.'
    ),
    urls_namespace="api-app-v1",
    auth=auth.BearerAuth(),
    docs=OfflineSwagger(),
    docs_url="/docs",
    renderer=Utf8JSONRenderer(),
)
api.add_router("/auth", auth_routes.router)
api.add_router("/me", me.router)
api.add_router("/offers", offers.router)
api.add_router("/bookings", bookings.router)


def _error(request: HttpRequest, status: int, code: str, message: str, **extra: object):
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    if isinstance(exc, PermissionDenied):
        status = 403
    elif exc.code in CONFLICT_CODES:
        status = 409
    else:
        status = STATUS_BY_CODE.get(exc.code, 400)
    return _error(request, status, exc.code, exc.text, field=exc.field)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(
        request,
        401,
        "unauthorized",
        "Connexion requise : jeton absent, invalide ou expiré. Reconnectez-vous.",
    )
    response["WWW-Authenticate"] = 'Bearer realm="passculture"'
    return response


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "Élément introuvable.")


@api.exception_handler(ValidationError)
def invalid_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": ".".join(str(part) for part in err.get("loc", ())[1:]), "type": err.get("type")}
        for err in exc.errors
    ]
    first = errors[0]["field"] if errors else ""
    message = f"Requête invalide : vérifiez le champ « {first} »." if first else "Requête invalide."
    return _error(request, 422, "invalid_request", message, errors=errors)
