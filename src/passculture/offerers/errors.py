from passculture.core.errors import DomainError


class InvalidSiren(DomainError):
    code = "invalid_siren"
    message = "Le SIREN doit comporter 9 chiffres et être valide (clé de contrôle incorrecte)."
    field = "siren"


class InvalidSiret(DomainError):
    code = "invalid_siret"
    message = "Le SIRET doit comporter 14 chiffres et être valide (clé de contrôle incorrecte)."
    field = "siret"


class SiretNotInSiren(DomainError):
    code = "siret_not_in_siren"
    message = "Ce SIRET n’appartient pas à la structure : il doit commencer par son SIREN {siren}."
    field = "siret"


class SiretAlreadyUsed(DomainError):
    code = "siret_already_used"
    message = "Un lieu avec ce SIRET existe déjà."
    field = "siret"


class MissingSiretReason(DomainError):
    code = "missing_siret_reason"
    message = "Sans SIRET, indiquez pourquoi ce lieu n’en a pas."
    field = "no_siret_reason"


class InvalidPostalCode(DomainError):
    code = "invalid_postal_code"
    message = "Code postal inconnu : saisissez les 5 chiffres d’un code postal français."
    field = "postal_code"


class InvalidCoordinates(DomainError):
    code = "invalid_coordinates"
    message = (
        "Placez le lieu sur la carte (coordonnées en France) "
        "ou saisissez sa latitude et sa longitude."
    )
    field = "latitude"


class AlreadyMember(DomainError):
    code = "already_member"
    message = "Vous êtes déjà rattaché à cette structure."


class VirtualVenueExists(DomainError):
    code = "virtual_venue_exists"
    message = "Cette structure a déjà un lieu numérique."


class LastMember(DomainError):
    code = "last_member"
    message = "Impossible de retirer le dernier membre validé de la structure."
