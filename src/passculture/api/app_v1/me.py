"""GET /me: the young person's profile, identity check and credit."""

import datetime as dt
from typing import Literal

from ninja import Router

from passculture.accounts.models import User
from passculture.api.app_v1.schemas import CamelSchema, ErrorOut
from passculture.bookings import selectors
from passculture.credit.models import DepositKind

router = Router(tags=["Profil"], by_alias=True)


class IdentityOut(CamelSchema):
    status: Literal["none", "pending", "validated", "refused"]
    validated_at: dt.datetime | None
    refusal_reason: str | None


class CreditOut(CamelSchema):
    kind: str | None
    kind_label: str | None
    credited: int
    spent: int
    balance: int
    digital_left: int | None
    expires_at: dt.datetime | None
    free_offers_only: bool


class MeOut(CamelSchema):
    id: int
    email: str
    first_name: str
    last_name: str
    role: str
    birth_date: dt.date | None
    postal_code: str
    city: str
    department_code: str
    email_verified: bool
    marketing_opt_in: bool
    identity: IdentityOut
    credit: CreditOut


def _identity(user: User) -> IdentityOut:
    if user.identity_validated_at is not None:
        return IdentityOut(
            status="validated", validated_at=user.identity_validated_at, refusal_reason=None
        )
    latest = user.identity_checks.order_by("-created_at", "-id").first()
    if latest is None:
        return IdentityOut(status="none", validated_at=None, refusal_reason=None)
    return IdentityOut(
        status=latest.status,  # type: ignore[arg-type]
        validated_at=latest.reviewed_at if latest.status == "validated" else None,
        refusal_reason=latest.refusal_reason or None,
    )


@router.get(
    "",
    response={200: MeOut, 401: ErrorOut},
    summary="Mon profil et mon crédit",
    description="Montants en centimes. `balance` = crédité − réservations en cours ou utilisées.",
)
def me(request) -> MeOut:
    user: User = request.auth
    credit = selectors.credit_of(user)
    deposit = credit.deposit
    return MeOut(
        id=user.pk,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        role=user.role,
        birth_date=user.birth_date,
        postal_code=user.postal_code,
        city=user.city,
        department_code=user.department_code,
        email_verified=user.email_verified_at is not None,
        marketing_opt_in=user.marketing_opt_in,
        identity=_identity(user),
        credit=CreditOut(
            kind=deposit.kind if deposit else None,
            kind_label=deposit.get_kind_display() if deposit else None,
            credited=credit.credited,
            spent=credit.spent,
            balance=credit.balance,
            digital_left=credit.digital_left,
            expires_at=credit.expires_at,
            free_offers_only=deposit is not None and deposit.kind == DepositKind.FREE_ONLY,
        ),
    )
