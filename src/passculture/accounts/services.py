"""Account writes: registration, e-mail verification."""

import datetime as dt

from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse

from passculture.accounts.errors import (
    EmailAlreadyUsed,
    InvalidBirthDate,
    InvalidResidence,
    InvalidVerificationLink,
)
from passculture.accounts.models import Role, User
from passculture.core import clock
from passculture.core.audit import record_audit
from passculture.core.mail import queue_mail

VERIFY_SALT = "passculture.accounts.verify-email"
VERIFY_MAX_AGE = 60 * 60 * 24 * 7


def make_verification_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "e": user.email}, salt=VERIFY_SALT)


@transaction.atomic
def register_user(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    phone: str = "",
    role: str = Role.PRO,
) -> User:
    """Create an account and queue the verification e-mail. Caller validated the password."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise EmailAlreadyUsed()
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email,
                password,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                phone=phone.strip(),
                role=role,
            )
    except IntegrityError as exc:  # a concurrent sign-up with the same e-mail
        raise EmailAlreadyUsed() from exc
    record_audit(
        actor=user, action="user.registered", obj=user, after={"email": email, "role": role}
    )
    send_verification_email(user=user)
    return user


def send_verification_email(*, user: User) -> None:
    """Queue the e-mail with the signed verification link (not guessable, expires in 7 days)."""
    path = reverse("accounts:verify_email", args=[make_verification_token(user)])
    queue_mail(
        to=[user.email],
        template="verify_email",
        context={"first_name": user.first_name, "path": path},
    )


@transaction.atomic
def verify_email(*, token: str) -> User:
    """Mark the e-mail of the token's user as verified; idempotent."""
    try:
        payload = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
        user = User.objects.select_for_update().get(pk=payload["u"], email=payload["e"])
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError) as exc:
        raise InvalidVerificationLink() from exc
    if user.email_verified_at is None:
        user.email_verified_at = clock.now()
        user.save(update_fields=["email_verified_at"])
        record_audit(actor=user, action="user.email_verified", obj=user)
    return user


@transaction.atomic
def update_profile(*, actor: User, user: User, first_name: str, last_name: str, phone: str) -> User:
    """Change a user's names and phone (actor is the user or staff)."""
    before = {"first_name": user.first_name, "last_name": user.last_name, "phone": user.phone}
    user.first_name, user.last_name, user.phone = (
        first_name.strip(),
        last_name.strip(),
        phone.strip(),
    )
    user.save(update_fields=["first_name", "last_name", "phone"])
    after = {"first_name": user.first_name, "last_name": user.last_name, "phone": user.phone}
    record_audit(actor=actor, action="user.profile_updated", obj=user, before=before, after=after)
    return user


@transaction.atomic
def register_youth(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    birth_date: dt.date,
    postal_code: str,
    city: str,
) -> User:
    """Sign a young person up (15–20 years old, French residence); the e-mail is then verified."""
    from passculture.credit.rules import age_on
    from passculture.offerers.rules import department_from_postal_code

    age = age_on(birth_date, clock.today_paris())
    if not 15 <= age <= 20:
        raise InvalidBirthDate()
    department = department_from_postal_code(postal_code)
    if department is None:
        raise InvalidResidence()
    user = register_user(
        email=email, password=password, first_name=first_name, last_name=last_name,
        role=Role.BENEFICIARY,
    )  # fmt: skip
    user.birth_date, user.postal_code, user.city = birth_date, postal_code.strip(), city.strip()
    user.department_code = department
    user.save(update_fields=["birth_date", "postal_code", "city", "department_code"])
    record_audit(
        actor=user,
        action="user.youth_profile",
        obj=user,
        after={"birth_date": birth_date.isoformat(), "department_code": department},
    )
    return user
