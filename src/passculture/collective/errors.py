from passculture.core.errors import DomainError


class CollectiveError(DomainError):
    code = "collective_refused"
    message = "Action impossible."


class InvalidUai(CollectiveError):
    code = "invalid_uai"
    message = "Code UAI invalide : 7 chiffres suivis de la lettre de contrôle (ex. 0750654D)."
    field = "uai"


class NotSchoolMember(CollectiveError):
    code = "not_school_member"
    message = "Vous n’êtes rattaché à aucun établissement scolaire."


class NotHead(CollectiveError):
    code = "not_head"
    message = "Seul le chef d’établissement peut confirmer ou refuser une réservation."


class TargetedElsewhere(CollectiveError):
    code = "offer_targeted_elsewhere"
    message = (
        "Cette offre est réservée à un autre établissement : seul {school} peut la préréserver."
    )


class NotBookable(CollectiveError):
    code = "collective_not_bookable"
    message = "Cette offre n’est pas réservable en ce moment."


class AlreadyBooked(CollectiveError):
    code = "collective_already_booked"
    message = "Cette offre a déjà été préréservée par un établissement."


class LimitPassed(CollectiveError):
    code = "confirmation_limit_passed"
    message = "La date limite de confirmation ({date}) est dépassée."


class InsufficientBudget(CollectiveError):
    code = "insufficient_budget"
    message = (
        "Budget insuffisant : il reste {remaining} sur le budget {year} de l’établissement, "
        "la réservation coûte {price}."
    )


class NoBudget(CollectiveError):
    code = "no_budget"
    message = "L’établissement n’a pas de budget pour l’année scolaire {year}."


class ProjectRequired(CollectiveError):
    code = "project_required"
    message = "Rattachez d’abord la préréservation à un projet EAC de l’établissement."


class TooLate(CollectiveError):
    code = "too_late"


class PriceIncrease(CollectiveError):
    code = "price_increase"
    message = "Après confirmation, le prix ne peut que baisser (actuellement {price})."
    field = "price"


class InvalidCollectiveOffer(CollectiveError):
    code = "invalid_collective_offer"
