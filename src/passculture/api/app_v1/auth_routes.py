"""POST /auth/token: e-mail + password → a bearer token for the app."""

import datetime as dt

from ninja import Router
from pydantic import Field

from passculture.api.app_v1 import auth
from passculture.api.app_v1.schemas import CamelSchema, ErrorOut

router = Router(tags=["Authentification"], by_alias=True)


class TokenIn(CamelSchema):
    email: str = Field(max_length=254)
    password: str = Field(max_length=4096)


class TokenOut(CamelSchema):
    access_token: str
    token_type: str = "Bearer"
    expires_at: dt.datetime


@router.post(
    "/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 429: ErrorOut},
    summary="Obtenir un jeton d’accès (30 jours)",
    description=(
        "Échange l’e-mail et le mot de passe contre un jeton à envoyer ensuite dans "
        "`Authorization: Bearer <jeton>`. Trop d’échecs (par e-mail ou par adresse IP) "
        "bloquent la connexion quelques minutes (429), comme sur le site."
    ),
)
def create_token(request, body: TokenIn) -> TokenOut:
    issued = auth.login_for_token(request=request, email=body.email, password=body.password)
    return TokenOut(access_token=issued.access_token, expires_at=issued.expires_at)
