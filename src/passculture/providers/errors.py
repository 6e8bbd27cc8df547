"""Refusals of the providers domain (stable codes, French messages)."""

from passculture.core.errors import DomainError


class ProviderError(DomainError):
    code = "provider_error"
    message = "Opération refusée pour ce logiciel partenaire."


class AlreadyLinked(ProviderError):
    code = "already_linked"
    message = "Ce lieu est déjà relié à ce logiciel."


class InvalidUrl(ProviderError):
    code = "invalid_url"
    message = "Adresse invalide : indiquez une URL complète commençant par https:// ou http://."


class TicketingRefused(ProviderError):
    """The venue's ticketing system refused or failed the booking."""

    code = "ticketing_refused"
    message = "La billetterie du lieu n’a pas pu émettre de billet : réessayez plus tard."


class TicketingSoldOut(TicketingRefused):
    code = "sold_out"
    message = "Cette offre n’a plus de places disponibles (billetterie du lieu)."


class TicketingNotEnoughSeats(TicketingRefused):
    code = "not_enough_seats"
    message = "La billetterie du lieu n’a plus assez de places pour cette réservation."
