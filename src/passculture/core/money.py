"""Money is integer cents everywhere; these helpers parse and format it."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from passculture.core.errors import DomainError


class InvalidAmount(DomainError):
    code = "invalid_amount"
    message = "Montant invalide : saisissez un nombre en euros, par exemple 12,50."


def euros_to_cents(value: str | int | Decimal) -> int:
    """Parse '12,50', '12.5' or Decimal('12.50') into 1250 cents; refuse sub-cent precision."""
    try:
        amount = Decimal(
            str(value).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        )
    except InvalidOperation as exc:
        raise InvalidAmount() from exc
    if not amount.is_finite():
        raise InvalidAmount()
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise InvalidAmount("Un montant ne peut pas avoir plus de deux décimales.")
    return int(cents)


def cents_to_euros(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def format_cents(cents: int) -> str:
    """1250 -> '12,50 €' (French format, narrow no-break space before the sign)."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    grouped = f"{euros:,}".replace(",", "\u202f")
    return f"{sign}{grouped},{rest:02d}\u00a0€"
