from passculture.core.errors import DomainError


class EmailAlreadyUsed(DomainError):
    code = "email_already_used"
    message = "Un compte existe déjà avec cette adresse e-mail."
    field = "email"


class InvalidVerificationLink(DomainError):
    code = "invalid_verification_link"
    message = "Ce lien de vérification est invalide ou a expiré. Demandez-en un nouveau."


class TooManyLoginAttempts(DomainError):
    code = "too_many_login_attempts"
    message = (
        "Trop de tentatives de connexion. Réessayez dans {minutes} minutes "
        "ou réinitialisez votre mot de passe."
    )


class IdentityCheckError(DomainError):
    code = "identity_check_error"
    message = "La vérification d’identité n’a pas pu être enregistrée."


class InvalidBirthDate(DomainError):
    code = "invalid_birth_date"
    message = "Le pass s’adresse aux jeunes de 15 à 20 ans : vérifiez votre date de naissance."
    field = "birth_date"


class InvalidResidence(DomainError):
    code = "invalid_residence"
    message = "Code postal inconnu : saisissez les 5 chiffres du code postal de votre commune."
    field = "postal_code"
