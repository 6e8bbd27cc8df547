"""Credit expiring soon: young people with credit left are told 30 and 7 days before.

Days are Paris calendar days, like the event reminders: a deposit expiring on day E is
reminded on E-30 and on E-7. The windows catch up: a deposit first seen 20 days before
its expiry (job down, credit just granted) still gets the 30-day reminder, with the real
number of days, and a run missed on E-7 is caught by the next day's run. Each
(deposit, threshold) is claimed once by a ReminderSent marker, so re-runs and
concurrent workers never send twice.
"""

import datetime as dt

from django.conf import settings
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.tasks import task
from django.urls import reverse

from passculture.bookings.models import Booking
from passculture.bookings.selectors import SPENDING
from passculture.campaigns.models import ReminderKind, ReminderSent
from passculture.core import clock
from passculture.core.money import format_cents
from passculture.credit.models import Deposit
from passculture.notifications.models import Preference
from passculture.notifications.reminders import (
    PARIS,
    _due_in_batches,
    _paris_day_bounds,
    _too_early,
)
from passculture.notifications.services import notify


def _with_credit_left(deposits: QuerySet[Deposit], now: dt.datetime) -> QuerySet[Deposit]:
    """Deposits still spendable now with something left on them, annotated `spent`.

    Same reading as bookings.selectors.credit_of, in SQL so a batch costs one query: the
    balance is what was credited minus live bookings, and only the user's current deposit
    (no newer unexpired one) can still be spent."""
    spent = (
        Booking.objects.filter(deposit=OuterRef("pk"), status__in=SPENDING)
        .values("deposit")
        .annotate(cents=Sum(F("amount") * F("quantity")))
        .values("cents")
    )
    newer = Deposit.objects.filter(
        user=OuterRef("user"), created_at__gt=OuterRef("created_at"), expires_at__gt=now
    )
    opted_out = Preference.objects.filter(user=OuterRef("user"), category="reminder", enabled=False)
    return (
        deposits.filter(user__is_active=True)
        .annotate(spent=Coalesce(Subquery(spent), 0))
        .filter(amount__gt=F("spent"))
        .exclude(Exists(newer))
        .exclude(Exists(opted_out))  # no marker for them: turning reminders back on works
    )


def send_credit_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind each deposit with credit left once at J-30 and once at J-7; return the count."""
    now = now or clock.now()
    if _too_early(now):
        return 0
    today = now.astimezone(PARIS).date()
    j30_start, _ = _paris_day_bounds(today + dt.timedelta(days=8))
    _, j30_end = _paris_day_bounds(today + dt.timedelta(days=30))
    _, j7_end = _paris_day_bounds(today + dt.timedelta(days=7))
    windows = (
        # 8 to 30 Paris days left: 30 when on time, fewer when caught up.
        (
            ReminderKind.CREDIT_J30,
            Deposit.objects.filter(expires_at__gte=j30_start, expires_at__lt=j30_end),
        ),
        # 7 Paris days or fewer left, not expired yet.
        (ReminderKind.CREDIT_J7, Deposit.objects.filter(expires_at__gt=now, expires_at__lt=j7_end)),
    )
    sent = 0
    for kind, deposits in windows:
        due = _with_credit_left(deposits, now).exclude(
            pk__in=ReminderSent.objects.filter(kind=kind).values("object_id")
        )
        for batch in _due_in_batches(due.select_related("user"), kind):
            sent += sum(_remind(deposit, today=today) for deposit in batch)
    return sent


def _remind(deposit: Deposit, *, today: dt.date) -> bool:
    expires = deposit.expires_at.astimezone(PARIS)
    days = (expires.date() - today).days
    remaining = format_cents(deposit.amount - deposit.spent)  # type: ignore[attr-defined]
    when = "demain" if days == 1 else "aujourd’hui" if days <= 0 else f"dans {days} jours"
    url = settings.SITE_URL + reverse("youth:offers")
    return notify(
        template="credit_expiring",
        context={
            "first_name": deposit.user.first_name,
            "remaining": remaining,
            "when": when,
            "expires": f"{expires:%d/%m/%Y à %H:%M}",
            "url": url,
        },
        category="reminder",
        user=deposit.user,
        title=f"Votre crédit de {remaining} expire {when}",
        url=url,
    )


@task
def send_credit_reminders_task() -> int:
    return send_credit_reminders()
