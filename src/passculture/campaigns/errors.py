from passculture.core.errors import DomainError


class NotEnoughSeats(DomainError):
    code = "campaign_not_enough_seats"
    message = (
        "Une campagne ne peut promouvoir qu’une offre individuelle ayant au moins "
        "{minimum} places restantes à venir (il en reste {remaining})."
    )
    field = "offer"


class CollectiveOfferRefused(DomainError):
    code = "campaign_offer_not_individual"
    message = "Une campagne ne peut promouvoir qu’une offre individuelle publiée."
    field = "offer"


class BadArea(DomainError):
    code = "campaign_bad_area"
    message = (
        "Choisissez la zone : soit une liste de départements, soit un point (latitude, "
        "longitude) et un rayon en kilomètres, pas les deux."
    )
    field = "departments"


class UnknownDepartment(DomainError):
    code = "campaign_unknown_department"
    message = "Département inconnu : {code}."
    field = "departments"


class BadAgeRange(DomainError):
    code = "campaign_bad_age_range"
    message = "La tranche d’âge doit être comprise entre 15 et 18 ans (minimum ≤ maximum)."
    field = "age_min"


class NotEditable(DomainError):
    code = "campaign_not_editable"
    message = "Une campagne en cours d’envoi ou envoyée ne peut plus être modifiée."


class BadClickToken(DomainError):
    code = "campaign_bad_token"
    message = "Lien de suivi invalide."
