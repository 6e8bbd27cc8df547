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
