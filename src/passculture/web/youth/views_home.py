"""Youth home: the credit left, until when, and what to do next."""

from django.shortcuts import render

from passculture.accounts import youth_services
from passculture.bookings import selectors
from passculture.credit.models import DepositKind
from passculture.web.youth import display
from passculture.web.youth.access import youth_page


@youth_page
def home(request):
    user = request.user
    credit = selectors.credit_of(user)
    deposit = credit.deposit
    return render(
        request,
        "youth/home.html",
        {
            "page_title": "Accueil",
            "credit": credit,
            "has_credit": deposit is not None,
            "free_only": deposit is not None and deposit.kind == DepositKind.FREE_ONLY,
            "balance": display.format_cents(credit.balance),
            "credited": display.format_cents(credit.credited),
            "spent": display.format_cents(credit.spent),
            "digital_left": (
                display.format_cents(credit.digital_left) if credit.digital_left is not None else ""
            ),
            "expires_on": display.long_date(credit.expires_at) if credit.expires_at else "",
            "identity": youth_services.latest_identity_check(user),
            "identity_validated": user.identity_validated_at is not None,
        },
    )
