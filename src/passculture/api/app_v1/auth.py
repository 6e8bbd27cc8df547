"""Bearer tokens for the app: signed (no table), 30 days, revoked by a password change.

A token is a TimestampSigner signature (own salt) over the user id and a digest of the
password hash, so it proves who and when without a lookup table, expires after 30 days,
and dies when the password changes (the digest no longer matches).
"""

import dataclasses
import datetime as dt

from django.contrib.auth import authenticate
from django.core import signing
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from ninja.security import HttpBearer

from passculture.accounts import throttle
from passculture.accounts.models import User
from passculture.core import clock
from passculture.core.errors import DomainError

TOKEN_SALT = "passculture.api.app.v1.access-token"
TOKEN_MAX_AGE = dt.timedelta(days=30)


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    message = "Adresse e-mail ou mot de passe incorrect."


@dataclasses.dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_at: dt.datetime


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=TOKEN_SALT)


def _password_digest(user: User) -> str:
    # Django's own session hash: an HMAC of the password hash, changes with the password.
    return user.get_session_auth_hash()[:24]


def issue_token(user: User) -> IssuedToken:
    token = _signer().sign_object({"u": user.pk, "h": _password_digest(user)}, compress=True)
    return IssuedToken(token, clock.now() + TOKEN_MAX_AGE)


def user_from_token(token: str) -> User | None:
    """The active user a valid, unexpired token was issued to; None otherwise."""
    try:
        payload = _signer().unsign_object(token, max_age=TOKEN_MAX_AGE)
        user = User.objects.get(pk=int(payload["u"]), is_active=True)
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError, ValueError):
        return None
    if not constant_time_compare(str(payload.get("h", "")), _password_digest(user)):
        return None
    return user


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def login_for_token(*, request: HttpRequest, email: str, password: str) -> IssuedToken:
    """Check the password under the same throttling as the web login, then sign a token."""
    ip = client_ip(request)
    throttle.check_login_allowed(email=email, ip=ip)
    user = authenticate(request, username=email.strip(), password=password)
    if not isinstance(user, User):
        throttle.record_login_failure(email=email, ip=ip)
        raise InvalidCredentials()
    throttle.clear_login_failures(email=email, ip=ip)
    return issue_token(user)


class BearerAuth(HttpBearer):
    """`Authorization: Bearer <token>`; ninja answers 401 when this returns None."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return user_from_token(token.strip())
