"""API keys: `<prefix>_<secret>`. The prefix is public and finds the row; the secret is kept
as a SHA-256 only and compared in constant time. The whole key is shown once, at creation."""

import hashlib
import secrets

from django.utils.crypto import constant_time_compare

from passculture.providers.models import ApiKey, KeyEnvironment

ENV_TAG = {KeyEnvironment.INTEGRATION: "pcint", KeyEnvironment.PRODUCTION: "pcprod"}


def hash_secret(secret: str) -> str:
    # A random 256-bit secret needs no slow hash: nothing to brute-force by dictionary.
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key_material(environment: str) -> tuple[str, str, str]:
    """(prefix, secret, full key) for a new key of this environment."""
    prefix = f"{ENV_TAG[KeyEnvironment(environment)]}_{secrets.token_hex(6)}"
    secret = secrets.token_hex(32)
    return prefix, secret, f"{prefix}_{secret}"


def find_key(raw: str) -> ApiKey | None:
    """The live key matching `raw`, with its provider; None for anything else."""
    parts = raw.strip().split("_")
    if len(parts) != 3 or not all(parts) or len(raw) > 200:
        return None
    prefix, secret = f"{parts[0]}_{parts[1]}", parts[2]
    key = (
        ApiKey.objects.select_related("provider__service_user")
        .filter(prefix=prefix, revoked_at__isnull=True, provider__is_active=True)
        .first()
    )
    if key is None or not constant_time_compare(key.secret_hash, hash_secret(secret)):
        return None
    return key
