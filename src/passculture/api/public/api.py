"""The partner NinjaAPI: reference paths (`/public/...`, `/v2/collective/...`), key auth,
errors shaped as the reference says (422 = list of {loc, msg, type}), offline docs."""

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from passculture.api.app_v1.api import Utf8JSONRenderer
from passculture.api.app_v1.docs import OfflineSwagger
from passculture.api.public import (
    adage_mock,
    addresses,
    attributes,
    bookings,
    collective_bookings,
    collective_offers,
    collective_refs,
    dates,
    events,
    images,
    price_categories,
    products,
    providers_routes,
    venues,
)
from passculture.api.public.auth import ApiKeyAuth
from passculture.api.public.scope import Forbidden, Gone
from passculture.core.errors import DomainError, NotFound, PermissionDenied

DESCRIPTION = """API des logiciels de billetterie et de gestion de stock.

Compatible avec l’API publique de pass Culture (mêmes chemins, champs, types et codes
de réponse) : un client écrit pour elle fonctionne ici sans changement.

- Authentification : en-tête `Authorization: Bearer <clé d’API>` ; une clé n’atteint que
  les lieux reliés à son logiciel.
- Montants en centimes, dates en UTC (ISO 8601 ; un décalage horaire est accepté).
- Pagination : `limit` (50 au plus) et `firstIndex` (identifiant de départ).
- 200 requêtes par minute et par clé, puis 429 avec `Retry-After`.
- `Idempotency-Key` sur POST et PATCH : la même clé rejoue la première réponse (24 h).
- Webhooks signés (`PassCulture-Signature`) : voir le guide d’intégration.
"""

OPENAPI_URL = "/public/openapi.json"

api = NinjaAPI(
    title="passculture — API partenaires",
    version="1.0",
    description=DESCRIPTION,
    urls_namespace="api-public",
    auth=ApiKeyAuth(),
    openapi_url=OPENAPI_URL,
    docs=OfflineSwagger(),
    docs_url="/public/docs",
    renderer=Utf8JSONRenderer(),
)

api.add_router("/public/providers/v1", providers_routes.router)
for offers_router in (
    venues.router,
    addresses.router,
    attributes.router,
    events.router,
    price_categories.router,
    dates.router,
    products.router,
    images.router,
):
    api.add_router("/public/offers/v1", offers_router)
api.add_router("/public/bookings/v1", bookings.router)
for collective_router in (
    collective_refs.router,
    collective_offers.router,
    collective_bookings.router,
):
    api.add_router("/v2/collective", collective_router)
if adage_mock.sandbox_enabled():
    api.add_router("/v2/collective/adage_mock", adage_mock.router)


def error_body(code: str, message: str, field: str | None = None) -> dict[str, object]:
    """Our code and French message, plus `{field: [message]}` as the reference's 400s."""
    return {"code": code, "message": message, field or "global": [message]}


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    if isinstance(exc, Forbidden | PermissionDenied):
        status = 403
    elif isinstance(exc, Gone):
        status = 410
    elif isinstance(exc, NotFound):
        status = 404
    else:
        status = getattr(exc, "http_status", 400)
    return api.create_response(request, error_body(exc.code, exc.text, exc.field), status=status)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = "Clé d’API absente, inconnue ou révoquée : en-tête « Authorization: Bearer <clé> »."
    response = api.create_response(request, error_body("unauthorized", message, "auth"), status=401)
    response["WWW-Authenticate"] = 'Bearer realm="passculture"'
    return response


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    message = str(exc) or "Élément introuvable."
    if message.startswith(("No ", "Page not found")):
        message = "Élément introuvable."
    return api.create_response(request, error_body("not_found", message), status=404)


@api.exception_handler(ValidationError)
def invalid_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """422 as the reference: a list of {loc, msg, type, ctx}; loc without ninja's wrapper."""
    body = []
    for err in exc.errors:
        loc = [str(part) for part in err.get("loc", ())]
        if len(loc) > 1 and loc[0] == "body":
            loc = loc[2:] if len(loc) > 2 else loc[1:]  # drop "body", "<payload arg>"
        item: dict[str, object] = {
            "loc": loc,
            "msg": str(err.get("msg", "Valeur invalide.")),
            "type": str(err.get("type", "value_error")),
        }
        ctx = err.get("ctx")
        if isinstance(ctx, dict):
            item["ctx"] = {k: str(v) for k, v in ctx.items()}
        body.append(item)
    return api.create_response(request, body, status=422)
