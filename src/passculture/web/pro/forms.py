from typing import Any

from django import forms

from passculture.offerers.models import VenueType
from passculture.offerers.services import VenueData
from passculture.web.forms import PageForm, char


class OffererForm(PageForm):
    siren = char(
        "SIREN", max_length=11, help_text="9 chiffres, visibles sur l’avis de situation INSEE."
    )
    name = char("Nom de la structure", max_length=140)
    street = char("Adresse", max_length=200)
    postal_code = char("Code postal", max_length=5)
    city = char("Ville", max_length=100)


class OffererEditForm(OffererForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["siren"]


class VenueForm(PageForm):
    name = char("Raison sociale du lieu", max_length=140)
    public_name = char("Nom public (facultatif)", required=False, max_length=140)
    venue_type = forms.ChoiceField(
        label="Type de lieu",
        choices=[("", "— Choisir —"), *VenueType.choices],
        error_messages={"required": "Choisissez le type de lieu."},
    )
    siret = char(
        "SIRET",
        required=False,
        max_length=17,
        help_text="14 chiffres ; il commence par le SIREN de la structure.",
    )
    no_siret_reason = char(
        "Sans SIRET : pourquoi ?",
        required=False,
        max_length=200,
        help_text="Par exemple : compagnie sans lieu fixe, lieu rattaché à une collectivité.",
    )
    booking_email = forms.EmailField(
        label="E-mail de réservation",
        required=False,
        error_messages={"invalid": "Saisissez une adresse e-mail valide."},
    )
    street = char("Adresse", max_length=200)
    postal_code = char("Code postal", max_length=5)
    city = char("Ville", max_length=100)
    latitude = forms.DecimalField(
        label="Latitude",
        max_digits=9,
        decimal_places=6,
        required=False,
        help_text="Cliquez sur la carte pour placer le lieu, ou saisissez ses coordonnées.",
        error_messages={"invalid": "Latitude invalide : un nombre, par exemple 48.85661."},
    )
    longitude = forms.DecimalField(
        label="Longitude",
        max_digits=9,
        decimal_places=6,
        required=False,
        error_messages={"invalid": "Longitude invalide : un nombre, par exemple 2.35222."},
    )
    motor_accessible = forms.BooleanField(
        label="Accessible aux personnes en situation de handicap moteur", required=False
    )
    visual_accessible = forms.BooleanField(
        label="Accessible aux personnes en situation de handicap visuel", required=False
    )
    hearing_accessible = forms.BooleanField(
        label="Accessible aux personnes en situation de handicap auditif", required=False
    )
    mental_accessible = forms.BooleanField(
        label="Accessible aux personnes en situation de handicap psychique ou cognitif",
        required=False,
    )
    website = forms.URLField(
        label="Site internet (facultatif)",
        required=False,
        assume_scheme="https",
        error_messages={
            "invalid": "Saisissez une adresse web valide, par exemple https://exemple.fr."
        },
    )
    phone = char("Téléphone (facultatif)", required=False, max_length=20)

    def to_data(self) -> VenueData:
        # Empty optional fields come back as None; the service wants "" for text.
        values: dict[str, Any] = {
            name: ("" if value is None and name not in {"latitude", "longitude"} else value)
            for name, value in self.cleaned_data.items()
        }
        return VenueData(**values)

    @staticmethod
    def initial_from(venue) -> dict[str, object]:
        fields = VenueForm.base_fields
        return {
            name: getattr(venue, name) if getattr(venue, name) is not None else ""
            for name in fields
        }


class VirtualVenueNameForm(PageForm):
    name = char("Nom du lieu numérique", max_length=140, initial="Offres numériques")
