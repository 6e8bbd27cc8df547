"""Identity checks behind one interface; providers plug in by name.

Real providers (EduConnect, ID-check vendors) would call back with a verdict. We ship:
- "staff_review": staff sees the declared data in the back office and decides;
- "test": validates at once — for demos and tests, refused in production.
"""

from django.conf import settings
from django.db import IntegrityError, transaction

from passculture.accounts.errors import IdentityCheckError
from passculture.accounts.models import IdentityCheck, IdentityStatus, User
from passculture.core.audit import record_audit

PROVIDERS = {"staff_review": "Vérification par l’équipe", "test": "Fournisseur de test"}


def available_providers() -> dict[str, str]:
    if settings.PRODUCTION:
        return {k: v for k, v in PROVIDERS.items() if k != "test"}
    return dict(PROVIDERS)


@transaction.atomic
def start_identity_check(*, user: User, provider: str, declared: dict[str, str]) -> IdentityCheck:
    """Open a check (one pending at a time); the provider's verdict comes later."""
    if provider not in available_providers():
        raise IdentityCheckError("Ce mode de vérification n’est pas disponible.")
    if user.identity_validated_at is not None:
        raise IdentityCheckError("Votre identité est déjà vérifiée.")
    try:
        with transaction.atomic():
            check = IdentityCheck.objects.create(user=user, provider=provider, declared=declared)
    except IntegrityError as exc:
        raise IdentityCheckError("Une vérification est déjà en cours pour votre compte.") from exc
    record_audit(
        actor=user, action="identity.check_started", obj=check, data={"provider": provider}
    )
    return check


def pending_checks():
    return IdentityCheck.objects.filter(status=IdentityStatus.PENDING).select_related("user")
