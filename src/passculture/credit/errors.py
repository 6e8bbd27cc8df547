from passculture.core.errors import DomainError


class NotEligible(DomainError):
    code = "not_eligible"
    message = "À {age} ans, le pass ne donne pas de crédit selon les règles en vigueur."


class MissingBirthDate(DomainError):
    code = "missing_birth_date"
    message = "Indiquez votre date de naissance pour obtenir votre crédit."
    field = "birth_date"


class IdentityNotValidated(DomainError):
    code = "identity_not_validated"
    message = "Votre identité doit être vérifiée avant d’obtenir votre crédit."


class InvalidAdjustment(DomainError):
    code = "invalid_adjustment"
    message = "L’ajustement rendrait le crédit négatif."
