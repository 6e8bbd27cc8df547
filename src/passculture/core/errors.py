"""Domain errors: a stable machine code plus a French message for people."""


class DomainError(Exception):
    """Base of every business-rule refusal. Subclasses set `code` and `message`."""

    code: str = "domain_error"
    message: str = "Opération refusée."
    field: str | None = None

    def __init__(self, message: str | None = None, *, field: str | None = None, **params: object):
        self.params = params
        text = message or self.message
        self.text = text.format(**params) if params else text
        if field is not None:
            self.field = field
        super().__init__(self.text)

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.text, "field": self.field}


class NotFound(DomainError):
    code = "not_found"
    message = "Élément introuvable."


class PermissionDenied(DomainError):
    code = "forbidden"
    message = "Vous n’avez pas les droits nécessaires pour cette action."


class InvalidState(DomainError):
    code = "invalid_state"
    message = "Cette action n’est pas possible dans l’état actuel."
