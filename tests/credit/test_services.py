"""Credit writes: grants by the rules in force, birthday recredits, staff adjustments, identity."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from passculture.accounts.errors import IdentityCheckError
from passculture.accounts.models import IdentityCheck, IdentityStatus, Role
from passculture.bookings import selectors
from passculture.core import clock
from passculture.core.audit import entries_for
from passculture.core.errors import InvalidState, PermissionDenied
from passculture.core.models import AuditEntry
from passculture.core.taskrunner import run_pending_tasks
from passculture.credit import services
from passculture.credit.errors import InvalidAdjustment, MissingBirthDate, NotEligible
from passculture.credit.models import CreditEntry, Deposit, GrantRule
from passculture.credit.rules import RULES_2022_2025
from tests.bookings.factories import make_youth

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
D = dt.date


def at(*args: int) -> dt.datetime:
    """A Paris wall-clock instant (noon by default) as aware UTC."""
    if len(args) == 3:
        args = (*args, 12, 0)
    return dt.datetime(*args, tzinfo=PARIS).astimezone(dt.UTC)


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=PARIS).astimezone(dt.UTC)


def credit_state(user) -> dict[str, object]:
    return {
        "deposits": list(Deposit.objects.filter(user=user).order_by("pk").values()),
        "entries": list(CreditEntry.objects.order_by("pk").values()),
        "audit": AuditEntry.objects.count(),
        "role": type(user).objects.get(pk=user.pk).role,
    }


def refused(call, error, text: str, code: str) -> None:
    with pytest.raises(error) as caught:
        call()
    assert caught.value.code == code
    assert caught.value.text == text


# --- rules as data -------------------------------------------------------------------------


def test_the_migration_ships_both_rule_sets_as_rows():
    assert services.grants() == RULES_2022_2025
    assert GrantRule.objects.count() == 8


def test_a_grant_rule_needs_an_expiry():
    with pytest.raises(IntegrityError), transaction.atomic():
        GrantRule.objects.create(
            rule_set="x", valid_from=D(2030, 1, 1), age=18, amount=1, deposit_kind="age_18"
        )


def test_a_reform_is_a_new_row_not_a_code_change():
    GrantRule.objects.filter(rule_set="2025", age=17).update(valid_until=D(2028, 1, 1))
    GrantRule.objects.create(
        rule_set="2028", valid_from=D(2028, 1, 1), age=17, amount=7_000,
        deposit_kind="age_17_18", expires_at_age=21,
    )  # fmt: skip
    youth = make_youth(birth_date=D(2011, 2, 1))  # 17 on 1 February 2028
    with clock.frozen_at(at(2028, 2, 10)):
        deposit = services.grant_deposit(user=youth)
    assert (deposit.rule_set, deposit.amount) == ("2028", 7_000)


# --- grant_deposit -------------------------------------------------------------------------


def test_grant_at_17_under_the_2025_reform(staff):
    youth = make_youth(birth_date=D(2009, 3, 15), role=Role.PRO)
    with clock.frozen_at(at(2027, 1, 4)):
        deposit = services.grant_deposit(user=youth, actor=staff)
    assert (deposit.kind, deposit.rule_set, deposit.amount, deposit.digital_cap) == (
        "age_17_18",
        "2025",
        5_000,
        10_000,
    )
    assert deposit.expires_at == midnight(D(2030, 3, 15))  # 21st birthday
    youth.refresh_from_db()
    assert youth.role == Role.BENEFICIARY
    entry = deposit.entries.get()
    assert (entry.amount, entry.reason, entry.age) == (5_000, "grant", 17)
    audit = list(entries_for(deposit).order_by("id").values_list("action", "actor_label", "data"))
    assert audit == [
        ("deposit.created", staff.email, {}),
        ("deposit.grant", staff.email, {"age": 17, "amount": 5_000, "rule_set": "2025"}),
    ]
    with clock.frozen_at(at(2027, 1, 4)):
        credit = selectors.credit_of(youth)
    assert (credit.credited, credit.balance, credit.digital_left) == (5_000, 5_000, 5_000)


@pytest.mark.parametrize(
    ("birth", "kind", "amount", "expires"),
    [
        (D(2011, 6, 1), "free_only", 0, D(2028, 6, 1)),  # 15: free offers until 17
        (D(2010, 6, 1), "free_only", 0, D(2027, 6, 1)),  # 16
        (D(2009, 6, 1), "age_17_18", 5_000, D(2030, 6, 1)),  # 17
        (D(2008, 6, 1), "age_17_18", 15_000, D(2029, 6, 1)),  # 18 without a 17 credit
    ],
)
def test_grant_by_age_under_the_2025_reform(birth, kind, amount, expires):
    youth = make_youth(birth_date=birth)
    with clock.frozen_at(at(2027, 1, 4)):
        deposit = services.grant_deposit(user=youth)
    assert (deposit.kind, deposit.rule_set, deposit.amount) == (kind, "2025", amount)
    assert deposit.expires_at == midnight(expires)


@pytest.mark.parametrize(
    ("birth", "kind", "amount", "expires", "cap"),
    [
        (D(2009, 1, 10), "underage", 2_000, midnight(D(2027, 1, 10)), None),  # 15
        (D(2008, 1, 10), "underage", 3_000, midnight(D(2026, 1, 10)), None),  # 16
        (D(2007, 1, 10), "underage", 3_000, midnight(D(2025, 1, 10)), None),  # 17
        (D(2006, 1, 10), "age_18", 30_000, midnight(D(2026, 6, 1)), 10_000),  # 18: 24 months
    ],
)
def test_grant_by_age_under_the_2022_rules(birth, kind, amount, expires, cap):
    youth = make_youth(birth_date=birth)
    with clock.frozen_at(at(2024, 6, 1)):
        deposit = services.grant_deposit(user=youth)
    assert (deposit.kind, deposit.rule_set, deposit.amount) == (kind, "2022", amount)
    assert deposit.expires_at == expires
    assert deposit.digital_cap == cap


def test_the_day_the_age_was_reached_decides_the_rule_set():
    # 17 on 10 January 2025 (2022 rules), identity validated in June 2025 (reform in force).
    youth = make_youth(birth_date=D(2008, 1, 10))
    with clock.frozen_at(at(2025, 6, 1)):
        deposit = services.grant_deposit(user=youth)
    assert (deposit.kind, deposit.rule_set, deposit.amount) == ("underage", "2022", 3_000)
    assert deposit.expires_at == midnight(D(2026, 1, 10))


def test_grant_is_idempotent():
    youth = make_youth(birth_date=D(2009, 3, 15))
    with clock.frozen_at(at(2027, 1, 4)):
        first = services.grant_deposit(user=youth)
        audit = AuditEntry.objects.count()
        second = services.grant_deposit(user=youth)
    assert second.pk == first.pk and second.amount == 5_000
    assert CreditEntry.objects.filter(deposit=first).count() == 1
    assert AuditEntry.objects.count() == audit


@pytest.mark.parametrize(("birth", "age"), [(D(2007, 6, 1), 19), (D(2006, 6, 1), 20)])
def test_grant_refused_when_not_eligible(birth, age):
    youth = make_youth(birth_date=birth, role=Role.PRO)
    before = credit_state(youth)
    with clock.frozen_at(at(2027, 1, 4)):
        refused(
            lambda: services.grant_deposit(user=youth),
            NotEligible,
            f"À {age} ans, le pass ne donne pas de crédit selon les règles en vigueur.",
            "not_eligible",
        )
    assert credit_state(youth) == before


def test_grant_refused_at_14_and_without_a_birth_date():
    youth = make_youth(birth_date=D(2012, 6, 1))
    with clock.frozen_at(at(2027, 1, 4)):
        refused(
            lambda: services.grant_deposit(user=youth),
            NotEligible,
            "À 14 ans, le pass ne donne pas de crédit selon les règles en vigueur.",
            "not_eligible",
        )
        youth.birth_date = None
        youth.save()
        refused(
            lambda: services.grant_deposit(user=youth),
            MissingBirthDate,
            "Indiquez votre date de naissance pour obtenir votre crédit.",
            "missing_birth_date",
        )
    assert not Deposit.objects.exists()


# --- birthday recredits --------------------------------------------------------------------


def granted(birth: dt.date, on: dt.datetime):
    youth = make_youth(birth_date=birth)
    with clock.frozen_at(on):
        services.grant_deposit(user=youth)
    return youth


def test_2022_recredits_at_16_and_17_on_the_same_deposit_then_a_new_one_at_18():
    youth = granted(D(2006, 9, 20), at(2021, 10, 1))  # 15 in 2021
    underage = Deposit.objects.get(user=youth)
    assert underage.amount == 2_000

    assert services.recredit_birthdays(day=D(2022, 9, 19)) == 0
    assert services.recredit_birthdays(day=D(2022, 9, 20)) == 1
    assert services.recredit_birthdays(day=D(2022, 9, 20)) == 0  # twice: no double credit
    assert services.recredit_birthdays(day=D(2023, 9, 20)) == 1
    underage.refresh_from_db()
    assert underage.amount == 2_000 + 3_000 + 3_000
    assert list(underage.entries.order_by("id").values_list("reason", "age", "amount")) == [
        ("grant", 15, 2_000),
        ("birthday", 16, 3_000),
        ("birthday", 17, 3_000),
    ]

    assert services.recredit_birthdays(day=D(2024, 9, 20)) == 1
    adult = Deposit.objects.get(user=youth, kind="age_18")
    assert (adult.amount, adult.rule_set, adult.digital_cap) == (30_000, "2022", 10_000)
    assert adult.expires_at == midnight(D(2026, 9, 20))
    # The 15–17 credit ends at the 18th birthday; its remainder is not carried over.
    underage.refresh_from_db()
    assert underage.expires_at == midnight(D(2024, 9, 20)) and underage.amount == 8_000
    with clock.frozen_at(at(2024, 9, 20, 8, 0)):
        credit = selectors.credit_of(youth)
    assert (credit.deposit.pk, credit.balance) == (adult.pk, 30_000)
    audit = entries_for(adult).values_list("action", "actor_label")
    assert set(audit) == {("deposit.created", "AUTO"), ("deposit.birthday", "AUTO")}


def test_2025_recredit_at_18_adds_to_the_same_17_18_deposit():
    youth = granted(D(2009, 3, 15), at(2026, 5, 1))
    deposit = Deposit.objects.get(user=youth)
    assert services.recredit_birthdays(day=D(2027, 3, 15)) == 1
    assert services.recredit_birthdays(day=D(2027, 3, 15)) == 0
    deposit.refresh_from_db()
    assert deposit.amount == 5_000 + 15_000
    assert deposit.expires_at == midnight(D(2030, 3, 15))  # still the 21st birthday
    assert Deposit.objects.filter(user=youth).count() == 1
    assert list(deposit.entries.order_by("id").values_list("reason", "age", "amount")) == [
        ("grant", 17, 5_000),
        ("birthday", 18, 15_000),
    ]


def test_2025_free_only_at_16_then_the_17_18_credit():
    youth = granted(D(2010, 4, 2), at(2026, 6, 1))
    free = Deposit.objects.get(user=youth)
    assert (free.kind, free.amount, free.expires_at) == ("free_only", 0, midnight(D(2027, 4, 2)))
    assert services.recredit_birthdays(day=D(2027, 4, 2)) == 1
    credit_17 = Deposit.objects.get(user=youth, kind="age_17_18")
    assert (credit_17.amount, credit_17.expires_at) == (5_000, midnight(D(2031, 4, 2)))
    with clock.frozen_at(at(2027, 4, 2, 9, 0)):
        assert selectors.credit_of(youth).deposit == credit_17


def test_2022_credit_moving_into_the_reform_keeps_what_is_left():
    # 15 in 2024 (2022 rules: 20 € until 18); 16 after the reform, which grants nothing
    # at 16: the 20 € stay spendable instead of being hidden behind a free-only access.
    youth = granted(D(2009, 5, 10), at(2024, 6, 1))
    assert services.recredit_birthdays(day=D(2025, 5, 10)) == 0
    with clock.frozen_at(at(2025, 6, 1)):
        credit = selectors.credit_of(youth)
    assert (credit.deposit.kind, credit.balance) == ("underage", 2_000)
    assert Deposit.objects.filter(user=youth).count() == 1


def test_recredit_29_february_birthdays():
    # Born 29 February 2008: 17 on 1 March 2025 (reform in force), 18 on 1 March 2026.
    youth = granted(D(2008, 2, 29), at(2025, 6, 1))
    deposit = Deposit.objects.get(user=youth)
    assert (deposit.rule_set, deposit.amount) == ("2025", 5_000)
    assert deposit.expires_at == midnight(D(2029, 3, 1))
    assert services.recredit_birthdays(day=D(2026, 2, 28)) == 0
    assert services.recredit_birthdays(day=D(2026, 3, 1)) == 1
    deposit.refresh_from_db()
    assert deposit.amount == 20_000


def test_recredit_29_february_in_a_leap_year_is_on_the_day():
    youth = granted(D(2012, 2, 29), at(2027, 6, 1))  # 15: free offers only
    assert services.recredit_birthdays(day=D(2028, 3, 1)) == 0
    assert services.recredit_birthdays(day=D(2028, 2, 29)) == 1
    assert list(
        CreditEntry.objects.filter(deposit__user=youth).order_by("id").values_list("reason", "age")
    ) == [("grant", 15), ("birthday", 16)]


def test_recredit_is_batched_and_skips_unvalidated_and_ineligible_people():
    people = [granted(D(2009, 3, 15), at(2026, 6, 1)) for _ in range(5)]
    unvalidated = make_youth(birth_date=D(2009, 3, 15), validated=False)
    too_old = make_youth(birth_date=D(2006, 3, 15))  # 21: nothing to grant
    assert services.recredit_birthdays(day=D(2027, 3, 15), batch_size=2) == 5
    for youth in people:
        assert Deposit.objects.get(user=youth).amount == 20_000
    assert not Deposit.objects.filter(user__in=[unvalidated, too_old]).exists()
    assert services.recredit_birthdays(day=D(2027, 3, 15), batch_size=2) == 0


def test_recredit_task_uses_today():
    from passculture.credit import tasks

    youth = granted(D(2009, 3, 15), at(2026, 6, 1))
    with clock.frozen_at(at(2027, 3, 15, 3, 0)):
        assert tasks.recredit_birthdays.call() == 1
    assert Deposit.objects.get(user=youth).amount == 20_000


# --- staff adjustments ---------------------------------------------------------------------


@pytest.fixture
def deposit():
    youth = granted(D(2009, 3, 15), at(2026, 6, 1))
    return Deposit.objects.get(user=youth)


def test_staff_adjusts_credit_with_a_comment(staff, deposit):
    adjusted = services.adjust_credit(
        actor=staff, deposit=deposit, amount=1_250, comment="  Geste commercial  "
    )
    assert adjusted.amount == 6_250
    entry = deposit.entries.get(reason="manual")
    assert (entry.amount, entry.comment, entry.actor, entry.age) == (
        1_250,
        "Geste commercial",
        staff,
        None,
    )
    audit = entries_for(deposit).get(action="deposit.adjusted")
    assert (audit.actor, audit.before, audit.after, audit.data) == (
        staff,
        {"amount": 5_000},
        {"amount": 6_250},
        {"comment": "Geste commercial"},
    )
    # A debit down to exactly zero is allowed; several manual entries may coexist.
    services.adjust_credit(actor=staff, deposit=deposit, amount=-6_250, comment="Fraude avérée")
    deposit.refresh_from_db()
    assert deposit.amount == 0
    assert deposit.entries.filter(reason="manual").count() == 2


def test_adjustment_refusals_change_nothing(pro, staff, deposit):
    before = credit_state(deposit.user)
    refused(
        lambda: services.adjust_credit(actor=pro, deposit=deposit, amount=100, comment="Test"),
        PermissionDenied,
        "Vous n’avez pas les droits nécessaires pour cette action.",
        "forbidden",
    )
    refused(
        lambda: services.adjust_credit(actor=staff, deposit=deposit, amount=100, comment="   "),
        InvalidAdjustment,
        "Indiquez le motif de l’ajustement.",
        "invalid_adjustment",
    )
    refused(
        lambda: services.adjust_credit(actor=staff, deposit=deposit, amount=-5_001, comment="x"),
        InvalidAdjustment,
        "L’ajustement rendrait le crédit négatif.",
        "invalid_adjustment",
    )
    assert credit_state(deposit.user) == before


def test_the_database_refuses_a_negative_deposit(deposit):
    with pytest.raises(IntegrityError), transaction.atomic():
        Deposit.objects.filter(pk=deposit.pk).update(amount=-1)


# --- identity checks -----------------------------------------------------------------------


def test_staff_review_then_approval_grants_the_credit_and_tells_the_youth(staff, mailoutbox):
    youth = make_youth(birth_date=D(2009, 3, 15), validated=False, first_name="Inès")
    with clock.frozen_at(at(2027, 1, 4)):
        check = services.request_identity_check(
            user=youth, provider="staff_review", declared={"nom": "Moreau", "prénom": "Inès"}
        )
        assert check.status == IdentityStatus.PENDING
        assert check.declared == {"nom": "Moreau", "prénom": "Inès"}
        assert not Deposit.objects.filter(user=youth).exists()
        assert entries_for(check).get().action == "identity.check_started"

        decided = services.decide_identity_check(actor=staff, check_id=check.pk, approve=True)
    assert (decided.status, decided.reviewed_by, decided.reviewed_at) == (
        IdentityStatus.VALIDATED,
        staff,
        at(2027, 1, 4),
    )
    youth.refresh_from_db()
    assert youth.identity_validated_at == at(2027, 1, 4)
    assert youth.role == Role.BENEFICIARY
    assert Deposit.objects.get(user=youth).amount == 5_000
    assert set(entries_for(check).values_list("action", flat=True)) == {
        "identity.check_started",
        "identity.validated",
    }
    run_pending_tasks()
    assert [m.to for m in mailoutbox] == [[youth.email]]
    assert mailoutbox[0].subject == "Votre pass est activé"
    assert "Bonjour Inès" in mailoutbox[0].body


def test_staff_refuses_with_a_reason_and_the_youth_may_ask_again(staff, mailoutbox):
    youth = make_youth(birth_date=D(2009, 3, 15), validated=False)
    check = services.request_identity_check(user=youth, provider="staff_review", declared={})
    decided = services.decide_identity_check(
        actor=staff, check_id=check.pk, approve=False, reason="  Pièce illisible  "
    )
    assert (decided.status, decided.refusal_reason) == (IdentityStatus.REFUSED, "Pièce illisible")
    youth.refresh_from_db()
    assert youth.identity_validated_at is None
    assert not Deposit.objects.filter(user=youth).exists()
    assert entries_for(check).get(action="identity.refused").data == {"reason": "Pièce illisible"}
    run_pending_tasks()
    assert mailoutbox[0].subject == "Votre vérification d’identité n’a pas abouti"
    assert "Motif : Pièce illisible" in mailoutbox[0].body
    again = services.request_identity_check(user=youth, provider="staff_review", declared={})
    assert again.status == IdentityStatus.PENDING


def test_a_second_pending_check_is_refused():
    youth = make_youth(birth_date=D(2009, 3, 15), validated=False)
    services.request_identity_check(user=youth, provider="staff_review", declared={})
    refused(
        lambda: services.request_identity_check(user=youth, provider="staff_review", declared={}),
        IdentityCheckError,
        "Une vérification est déjà en cours pour votre compte.",
        "identity_check_error",
    )
    assert IdentityCheck.objects.filter(user=youth).count() == 1


def test_decisions_are_for_staff_and_only_once(pro, staff):
    youth = make_youth(birth_date=D(2009, 3, 15), validated=False)
    check = services.request_identity_check(user=youth, provider="staff_review", declared={})
    refused(
        lambda: services.decide_identity_check(actor=pro, check_id=check.pk, approve=True),
        PermissionDenied,
        "Vous n’avez pas les droits nécessaires pour cette action.",
        "forbidden",
    )
    check.refresh_from_db()
    assert check.status == IdentityStatus.PENDING
    with clock.frozen_at(at(2027, 1, 4)):
        services.decide_identity_check(actor=staff, check_id=check.pk, approve=True)
        refused(
            lambda: services.decide_identity_check(actor=staff, check_id=check.pk, approve=False),
            InvalidState,
            "Cette vérification a déjà été traitée.",
            "invalid_state",
        )
    check.refresh_from_db()
    assert check.status == IdentityStatus.VALIDATED


def test_approving_someone_not_eligible_changes_nothing(staff):
    youth = make_youth(birth_date=D(2006, 6, 1), validated=False)  # 20
    check = services.request_identity_check(user=youth, provider="staff_review", declared={})
    before = credit_state(youth)
    with clock.frozen_at(at(2027, 1, 4)):
        refused(
            lambda: services.decide_identity_check(actor=staff, check_id=check.pk, approve=True),
            NotEligible,
            "À 20 ans, le pass ne donne pas de crédit selon les règles en vigueur.",
            "not_eligible",
        )
    check.refresh_from_db()
    youth.refresh_from_db()
    assert check.status == IdentityStatus.PENDING and youth.identity_validated_at is None
    assert credit_state(youth) == before


def test_the_test_provider_validates_at_once(mailoutbox):
    youth = make_youth(birth_date=D(2009, 3, 15), validated=False)
    with clock.frozen_at(at(2027, 1, 4)):
        check = services.request_identity_check(user=youth, provider="test", declared={})
    assert check.status == IdentityStatus.VALIDATED and check.reviewed_by is None
    assert entries_for(check).get(action="identity.validated").actor_label == "SYSTEM"
    assert Deposit.objects.get(user=youth).amount == 5_000
    youth.refresh_from_db()
    refused(
        lambda: services.request_identity_check(user=youth, provider="test", declared={}),
        IdentityCheckError,
        "Votre identité est déjà vérifiée.",
        "identity_check_error",
    )
    run_pending_tasks()
    assert mailoutbox[0].subject == "Votre pass est activé"


def test_unknown_provider_and_test_provider_in_production(settings):
    youth = make_youth(birth_date=D(2009, 3, 15), validated=False)
    refused(
        lambda: services.request_identity_check(user=youth, provider="ubble", declared={}),
        IdentityCheckError,
        "Ce mode de vérification n’est pas disponible.",
        "identity_check_error",
    )
    settings.PRODUCTION = True
    refused(
        lambda: services.request_identity_check(user=youth, provider="test", declared={}),
        IdentityCheckError,
        "Ce mode de vérification n’est pas disponible.",
        "identity_check_error",
    )
    assert not IdentityCheck.objects.exists()
