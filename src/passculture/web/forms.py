"""Form helpers shared by the pages: DSFR rendering and domain errors as form errors."""

from django import forms
from dsfr.forms import DsfrBaseForm

from passculture.core.errors import DomainError


class PageForm(DsfrBaseForm):
    """A DSFR-rendered form that can carry a domain error on the right field."""

    def add_domain_error(self, error: DomainError) -> None:
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.text)


def required_message(label: str) -> dict[str, str]:
    return {"required": f"Le champ « {label} » est obligatoire."}


def char(
    label: str, *, required: bool = True, max_length: int = 150, **kw: object
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        error_messages=required_message(label),
        **kw,  # type: ignore[arg-type]
    )
