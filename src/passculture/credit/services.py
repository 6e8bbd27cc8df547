"""Credit writes: grant on identity validation, birthday recredits, staff adjustments."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.urls import reverse

from passculture.accounts import identity
from passculture.accounts.models import IdentityCheck, IdentityStatus, Role, User
from passculture.core import clock
from passculture.core.audit import record_audit
from passculture.core.errors import InvalidState, PermissionDenied
from passculture.credit import rules
from passculture.credit.errors import InvalidAdjustment, MissingBirthDate, NotEligible
from passculture.credit.models import CreditEntry, CreditEntryReason, Deposit, GrantRule
from passculture.notifications.services import notify


def grants() -> list[rules.Grant]:
    return [
        rules.Grant(
            r.rule_set,
            r.valid_from,
            r.valid_until,
            r.age,
            r.amount,
            r.deposit_kind,
            r.expires_at_age,
            r.validity_months,
            r.digital_cap,
        )  # fmt: skip
        for r in GrantRule.objects.all()
    ]


def _apply_grant(
    *, user: User, grant: rules.Grant, age: int, day: dt.date, actor: object, reason: str
) -> Deposit | None:
    """Open the grant's deposit or add to it; None when this age was already credited."""
    assert user.birth_date is not None
    deposit = Deposit.objects.select_for_update().filter(user=user, kind=grant.deposit_kind).first()
    if deposit is None:
        deposit = Deposit.objects.create(
            user=user,
            kind=grant.deposit_kind,
            rule_set=grant.rule_set,
            amount=0,
            digital_cap=grant.digital_cap,
            expires_at=rules.expiry(grant, birth_date=user.birth_date, granted_on=day),
        )
        record_audit(
            actor=actor,
            action="deposit.created",
            obj=deposit,
            after={"kind": deposit.kind, "expires_at": deposit.expires_at.isoformat()},
        )
    try:
        with transaction.atomic():
            CreditEntry.objects.create(deposit=deposit, amount=grant.amount, reason=reason, age=age)
    except IntegrityError:
        return None  # this age was already granted: jobs may run twice
    deposit.amount += grant.amount
    deposit.save(update_fields=["amount"])
    record_audit(
        actor=actor,
        action=f"deposit.{reason}",
        obj=deposit,
        data={"age": age, "amount": grant.amount, "rule_set": grant.rule_set},
    )
    return deposit


@transaction.atomic
def grant_deposit(*, user: User, actor: object = "SYSTEM") -> Deposit:
    """Credit a young person whose identity was just validated, per the rules in force today."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.birth_date is None:
        raise MissingBirthDate()
    today = clock.today_paris()
    age = rules.age_on(user.birth_date, today)
    grant = rules.grant_for(grants(), age=age, day=today)
    if grant is None:
        raise NotEligible(age=age)
    # The day the age was reached decides the rule set (a 17-year-old of 2024 stays 2022).
    reached = rules.birthday(user.birth_date, age)
    grant = rules.grant_for(grants(), age=age, day=reached) or grant
    _apply_grant(
        user=user, grant=grant, age=age, day=today, actor=actor, reason=CreditEntryReason.GRANT
    )
    if user.role != Role.BENEFICIARY:
        user.role = Role.BENEFICIARY
        user.save(update_fields=["role"])
    return Deposit.objects.get(user=user, kind=grant.deposit_kind)


def _holds_running_credit(user: User, grant: rules.Grant, day: dt.date) -> bool:
    start = dt.datetime.combine(day, dt.time(), tzinfo=rules.PARIS)
    return (
        Deposit.objects.filter(user=user, amount__gt=0, expires_at__gt=start)
        .exclude(kind=grant.deposit_kind)
        .exists()
    )


def recredit_birthdays(*, day: dt.date | None = None, batch_size: int = 500) -> int:
    """Give each validated young person whose birthday is `day` the grant of their new age.

    Idempotent (one entry per deposit and age) and batched: one transaction per user.
    Moving from the 15–17 credit to the 18 one (2022 rules) opens a new deposit; the old
    one ends at the 18th birthday and its remainder is not carried over.
    """
    day = day or clock.today_paris()
    candidates = User.objects.filter(
        identity_validated_at__isnull=False,
        birth_date__month=day.month,
        birth_date__day=day.day,
    ).order_by("pk")
    if day.month == 3 and day.day == 1:  # 29 February birthdays in common years
        leap = User.objects.filter(
            identity_validated_at__isnull=False, birth_date__month=2, birth_date__day=29
        )
        candidates = (candidates | leap).order_by("pk")
    done = 0
    all_grants = grants()
    last_pk = 0
    while True:
        batch = list(candidates.filter(pk__gt=last_pk)[:batch_size])
        if not batch:
            return done
        for user in batch:
            last_pk = user.pk
            assert user.birth_date is not None
            age = rules.age_on(user.birth_date, day)
            grant = rules.grant_for(all_grants, age=age, day=day)
            if grant is None or rules.birthday(user.birth_date, age) != day:
                continue
            if grant.amount == 0 and _holds_running_credit(user, grant, day):
                continue  # a free-only access (2025) would hide a 2022 credit still running
            with transaction.atomic():
                if _apply_grant(
                    user=user, grant=grant, age=age, day=day, actor="AUTO",
                    reason=CreditEntryReason.BIRTHDAY,
                ):  # fmt: skip
                    done += 1


@transaction.atomic
def adjust_credit(*, actor: User, deposit: Deposit, amount: int, comment: str) -> Deposit:
    """Staff adds (or removes, negative) credit on a deposit, with a mandatory comment."""
    if not actor.is_staff:
        raise PermissionDenied()
    if not comment.strip():
        raise InvalidAdjustment("Indiquez le motif de l’ajustement.")
    deposit = Deposit.objects.select_for_update().get(pk=deposit.pk)
    if deposit.amount + amount < 0:
        raise InvalidAdjustment()
    before = deposit.amount
    deposit.amount += amount
    deposit.save(update_fields=["amount"])
    CreditEntry.objects.create(
        deposit=deposit, amount=amount, reason=CreditEntryReason.MANUAL, comment=comment.strip(),
        actor=actor,
    )  # fmt: skip
    record_audit(
        actor=actor,
        action="deposit.adjusted",
        obj=deposit,
        before={"amount": before},
        after={"amount": deposit.amount},
        data={"comment": comment.strip()},
    )
    return deposit


@transaction.atomic
def decide_identity_check(
    *, actor: User | str, check_id: int, approve: bool, reason: str = ""
) -> IdentityCheck:
    """A provider's (or staff's) verdict: approval validates the identity and grants credit."""
    if isinstance(actor, User) and not actor.is_staff:
        raise PermissionDenied()
    check = IdentityCheck.objects.select_for_update().select_related("user").get(pk=check_id)
    if check.status != IdentityStatus.PENDING:
        raise InvalidState("Cette vérification a déjà été traitée.")
    check.status = IdentityStatus.VALIDATED if approve else IdentityStatus.REFUSED
    check.reviewed_by = actor if isinstance(actor, User) else None
    check.reviewed_at = clock.now()
    check.refusal_reason = "" if approve else reason.strip()
    check.save()
    record_audit(
        actor=actor,
        action="identity.validated" if approve else "identity.refused",
        obj=check,
        data={} if approve else {"reason": check.refusal_reason},
    )
    user = check.user
    if approve:
        User.objects.filter(pk=user.pk).update(identity_validated_at=clock.now())
        grant_deposit(user=user, actor=actor)
    title = "Votre pass est activé" if approve else "Votre vérification d’identité n’a pas abouti"
    notify(
        template="identity_validated" if approve else "identity_refused",
        context={"first_name": user.first_name, "reason": check.refusal_reason},
        category="account",
        user=user,
        title=title,
        url=reverse("youth:home") if approve else reverse("youth:account"),
    )
    return check


@transaction.atomic
def request_identity_check(*, user: User, provider: str, declared: dict[str, str]) -> IdentityCheck:
    """Start a check; the test provider answers at once (never in production)."""
    check = identity.start_identity_check(user=user, provider=provider, declared=declared)
    if provider == "test":
        return decide_identity_check(actor="SYSTEM", check_id=check.pk, approve=True)
    return check
