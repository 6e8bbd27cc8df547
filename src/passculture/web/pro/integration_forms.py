"""Forms of the pro "Intégrations" pages: venue links, partner software, API keys.

The forms only parse input; the providers services decide (and refuse with DomainError,
shown on the right field through `add_domain_error`).
"""

from typing import Any

from django import forms
from django.db.models import QuerySet

from passculture.offerers.models import Offerer
from passculture.providers.models import URL_MAX, KeyEnvironment, Provider
from passculture.web.forms import PageForm, char

URL_FIELDS = ("notification_url", "booking_url", "cancel_url")
URL_LABELS = {
    "notification_url": "Adresse de notification (webhooks)",
    "booking_url": "Adresse de réservation (billetterie)",
    "cancel_url": "Adresse d’annulation (billetterie)",
}
URL_HELP = {
    "notification_url": "Reçoit les événements signés : réservation créée, annulée, validée…",
    "booking_url": "Appelée pour émettre les billets des offres « avec billet ».",
    "cancel_url": "Appelée pour annuler ces billets.",
}


def url_field(label: str, help_text: str = "") -> forms.URLField:
    return forms.URLField(
        label=label,
        required=False,
        max_length=URL_MAX,
        assume_scheme="https",
        help_text=help_text,
        error_messages={
            "invalid": "Saisissez une adresse complète, par exemple "
            "https://billetterie.exemple.fr/passculture.",
            "max_length": "Adresse trop longue (2083 caractères au plus).",
        },
    )


class ProviderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class LinkForm(PageForm):
    """Link one venue to an active partner software."""

    provider = ProviderChoiceField(
        label="Logiciel à relier",
        queryset=Provider.objects.none(),
        empty_label="— Choisir un logiciel —",
        error_messages={
            "required": "Choisissez le logiciel à relier.",
            "invalid_choice": "Ce logiciel n’est pas disponible : choisissez-en un dans la liste.",
        },
    )

    def __init__(
        self,
        *args: Any,
        providers: QuerySet[Provider],
        options: list[Provider] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["provider"]
        field.queryset = providers  # validation: one query, on POST only
        if options is not None:
            # The overview renders one form per venue from one list of providers read
            # once, instead of one query per venue.
            choices = [("", field.empty_label), *((p.pk, p.name) for p in options)]
            field.choices = choices


class UrlsForm(PageForm):
    """The three URLs; for a venue link they override the software's defaults."""

    notification_url = url_field(URL_LABELS["notification_url"], URL_HELP["notification_url"])
    booking_url = url_field(URL_LABELS["booking_url"], URL_HELP["booking_url"])
    cancel_url = url_field(URL_LABELS["cancel_url"], URL_HELP["cancel_url"])

    def __init__(self, *args: Any, defaults: Provider | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if defaults is not None:  # a venue override: say what applies when left empty
            for name in URL_FIELDS:
                default = getattr(defaults, name)
                text = (
                    f"Vide = adresse du logiciel : {default}"
                    if default
                    else "Vide = aucune (le logiciel n’a pas d’adresse par défaut)."
                )
                # The DSFR form builds its bound fields in __init__: update both.
                self.fields[name].help_text = text
                self[name].help_text = text

    def urls(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in URL_FIELDS}


class ProviderForm(UrlsForm):
    """Register a software administered by one of the user's structures."""

    offerer = forms.ModelChoiceField(
        label="Structure administratrice",
        queryset=Offerer.objects.none(),
        empty_label=None,
        help_text="Ses membres gèrent les clés d’API et les adresses de ce logiciel.",
        error_messages={
            "required": "Choisissez la structure qui administre ce logiciel.",
            "invalid_choice": "Choisissez une de vos structures.",
        },
    )
    name = char(
        "Nom du logiciel", max_length=140, help_text="Visible par les lieux qui le relient."
    )
    contact_email = forms.EmailField(
        label="E-mail de contact technique (facultatif)",
        required=False,
        error_messages={"invalid": "Saisissez une adresse e-mail valide."},
    )

    field_order = ["offerer", "name", "contact_email", *URL_FIELDS]

    def __init__(self, *args: Any, offerers: QuerySet[Offerer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["offerer"]
        field.queryset = offerers
        field.label_from_instance = lambda o: f"{o.name} (SIREN {o.siren})"


class KeyForm(PageForm):
    label = char(
        "Libellé (facultatif)",
        required=False,
        max_length=100,
        help_text="Pour la reconnaître, par exemple « Serveur de recette ».",
    )
    environment = forms.ChoiceField(
        label="Environnement",
        choices=KeyEnvironment.choices,
        initial=KeyEnvironment.INTEGRATION,
        widget=forms.RadioSelect,
        help_text="Intégration pour vos essais, production pour vos lieux réels.",
        error_messages={
            "required": "Choisissez l’environnement de la clé.",
            "invalid_choice": "Environnement inconnu : intégration ou production.",
        },
    )
