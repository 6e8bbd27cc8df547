"""Forms of the pro collective pages: offer editor, price change, profile, cancellation."""

from typing import Any

from django import forms

from passculture.collective import labels, rules
from passculture.collective.errors import InvalidUai
from passculture.collective.models import LocationType, School
from passculture.collective.services.offers import CollectiveOfferData, StockData
from passculture.collective.services.profiles import (
    CollectiveProfileData,
    UnknownSchool,
    school_by_uai,
)
from passculture.offerers.models import Venue
from passculture.offerers.rules import DEPARTMENTS
from passculture.offers.services.offers import AddressData
from passculture.web.forms import PageForm, char
from passculture.web.pro.offer_forms import EuroField, LocalDateTimeField, local_input

TEMPLATE, BOOKABLE = "vitrine", "reservable"
KIND_CHOICES = [
    (BOOKABLE, "Offre réservable : une date, un prix, pour une classe"),
    (TEMPLATE, "Offre vitrine : sans date ni prix, les enseignants vous font une demande"),
]
MAX_TOTAL_CENTS = 6_000_000
DEPARTMENT_CHOICES = [(code, f"{code} — {name}") for code, name in DEPARTMENTS.items()]


class TotalPriceField(EuroField):
    """A total price typed in euros ("1 200,50"), cleaned to integer cents (60 000 € at most)."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "450,00"})
    max_cents = MAX_TOTAL_CENTS
    range_message = "Le prix total doit être compris entre 0 € et 60 000 €."


def _multi(label: str, vocabulary: dict[str, str], *, required: bool = True) -> Any:
    return forms.MultipleChoiceField(
        label=label,
        required=required,
        choices=labels.choices(vocabulary),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": f"Choisissez au moins une valeur : {label.lower()}.",
            "invalid_choice": "Valeur inconnue : %(value)s.",
        },
    )


def _departments(label: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        required=False,
        choices=DEPARTMENT_CHOICES,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="Maintenez Ctrl (ou Cmd) pour en choisir plusieurs.",
        error_messages={"invalid_choice": "Département inconnu : %(value)s."},
    )


def _euros(cents: int | None) -> str:
    return f"{cents / 100:.2f}".replace(".", ",") if cents is not None else ""


class CollectiveOfferForm(PageForm):
    """Create a showcase or a bookable offer (with its single date and total price)."""

    kind = forms.ChoiceField(
        label="Type d’offre", choices=KIND_CHOICES, initial=BOOKABLE, widget=forms.RadioSelect
    )
    venue: forms.ModelChoiceField[Venue] = forms.ModelChoiceField(
        label="Lieu",
        queryset=Venue.objects.none(),
        error_messages={
            "required": "Choisissez le lieu de l’offre.",
            "invalid_choice": "Ce lieu n’existe pas ou n’est pas le vôtre.",
        },
    )
    name = char("Titre de l’offre", max_length=110)
    description = forms.CharField(
        label="Description pour les enseignants",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Décrivez l’offre pour les enseignants."},
    )
    domains = _multi("Domaines artistiques et culturels", labels.DOMAINS)
    levels = _multi("Niveaux scolaires", labels.LEVELS)
    formats = _multi("Formats", labels.FORMATS, required=False)
    duration_minutes = forms.IntegerField(
        label="Durée (minutes, facultatif)", required=False, min_value=1, max_value=100_000
    )
    location_type = forms.ChoiceField(
        label="Où se déroule l’offre ?",
        choices=LocationType.choices,
        initial=LocationType.VENUE,
        widget=forms.RadioSelect,
    )
    location_comment = char(
        "Précisions sur le lieu", required=False, max_length=200,
        help_text="Obligatoire pour « À définir avec l’établissement ».",
    )  # fmt: skip
    address_label = char("Nom de l’endroit (facultatif)", required=False, max_length=140)
    address_street = char("Adresse", required=False, max_length=200)
    address_postal_code = char("Code postal", required=False, max_length=5)
    address_city = char("Ville", required=False, max_length=100)
    address_latitude = forms.DecimalField(
        label="Latitude", required=False, max_digits=9, decimal_places=6
    )
    address_longitude = forms.DecimalField(
        label="Longitude", required=False, max_digits=9, decimal_places=6
    )
    intervention_departments = _departments(
        "Départements où vous intervenez (offre dans l’établissement scolaire)"
    )
    contact_email = forms.EmailField(label="E-mail de contact (facultatif)", required=False)
    contact_phone = char("Téléphone de contact (facultatif)", required=False, max_length=20)
    target_uai = char(
        "Réservée à un établissement : son UAI (facultatif)", required=False, max_length=12,
        help_text="Par exemple 0693446W. Seuls les enseignants de cet établissement pourront "
        "la préréserver.",
    )  # fmt: skip
    start_datetime = LocalDateTimeField(label="Début", required=False)
    end_datetime = LocalDateTimeField(label="Fin", required=False)
    booking_limit_datetime = LocalDateTimeField(
        label="Date limite de réservation (et de confirmation)", required=False
    )
    price = TotalPriceField(
        label="Prix total pour la classe (€)",
        required=False,
        help_text="Le transport n’est jamais compris dans le prix.",
    )
    number_of_pupils = forms.IntegerField(
        label="Nombre d’élèves", required=False, min_value=1, max_value=3000
    )
    price_detail = forms.CharField(
        label="Détail du prix (facultatif)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    STOCK_FIELDS = [
        "start_datetime", "end_datetime", "booking_limit_datetime", "price", "number_of_pupils",
    ]  # fmt: skip
    STOCK_LABELS = {
        "start_datetime": "la date de début", "end_datetime": "la date de fin",
        "booking_limit_datetime": "la date limite de réservation",
        "price": "le prix total", "number_of_pupils": "le nombre d’élèves",
    }  # fmt: skip

    def __init__(self, *args: Any, venues: Any, fixed_kind: str | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["venue"].queryset = venues
        self.fields["venue"].label_from_instance = lambda v: f"{v.display_name} ({v.offerer.name})"
        if not self.is_bound and "venue" not in self.initial and len(venues) == 1:
            self.initial["venue"] = venues[0].pk
        self.fixed_kind = fixed_kind
        if fixed_kind:
            self.fields["kind"].required = False
            self.fields["kind"].widget = forms.HiddenInput()
            self.initial["kind"] = fixed_kind
        self.school: School | None = None

    def clean_kind(self) -> str:
        return self.fixed_kind or self.cleaned_data.get("kind") or BOOKABLE

    def clean_target_uai(self) -> str:
        uai = self.cleaned_data.get("target_uai", "").strip().upper().replace(" ", "")
        if not uai:
            return ""
        if not rules.is_valid_uai(uai):
            raise forms.ValidationError(InvalidUai.message)
        try:
            self.school = school_by_uai(uai)
        except UnknownSchool as exc:
            raise forms.ValidationError(exc.text) from exc
        return uai

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        if (
            cleaned.get("location_type") == LocationType.TO_BE_DEFINED
            and not (cleaned.get("location_comment") or "").strip()
        ):
            self.add_error(
                "location_comment",
                "Indiquez l’adresse ou ce qui reste à définir avec l’établissement.",
            )
        if cleaned.get("location_type") == LocationType.ADDRESS:
            for name in ["address_street", "address_postal_code", "address_city"]:
                if not (cleaned.get(name) or "").strip() and name not in self.errors:
                    self.add_error(name, "Obligatoire pour une offre à une autre adresse.")
            coordinates = (cleaned.get("address_latitude"), cleaned.get("address_longitude"))
            if None in coordinates and "address_latitude" not in self.errors:
                self.add_error(
                    "address_latitude",
                    "Placez l’endroit sur la carte ou saisissez ses coordonnées.",
                )
        if kind == TEMPLATE:
            if cleaned.get("target_uai"):
                self.add_error(
                    "target_uai", "Une offre vitrine ne cible pas un établissement scolaire."
                )
            return cleaned
        for name in self.STOCK_FIELDS:
            if cleaned.get(name) is None and name not in self.errors:
                self.add_error(name, f"Indiquez {self.STOCK_LABELS[name]} (offre réservable).")
        start, end = cleaned.get("start_datetime"), cleaned.get("end_datetime")
        limit = cleaned.get("booking_limit_datetime")
        if start and end and end < start:
            self.add_error("end_datetime", "La fin doit suivre le début.")
        if start and limit and limit > start:
            self.add_error(
                "booking_limit_datetime", "La date limite de réservation doit précéder le début."
            )
        return cleaned

    def to_data(self) -> CollectiveOfferData:
        d = self.cleaned_data
        return CollectiveOfferData(
            name=d["name"].strip(), description=d["description"].strip(),
            domains=list(d["domains"]), levels=list(d["levels"]), formats=list(d["formats"]),
            duration_minutes=d["duration_minutes"], location_type=d["location_type"],
            location_comment=d["location_comment"].strip(),
            intervention_departments=list(d["intervention_departments"]),
            contact_email=d["contact_email"] or "", contact_phone=d["contact_phone"].strip(),
            target_school=self.school if d["kind"] == BOOKABLE else None,
            address=self._address(),
        )  # fmt: skip

    def _address(self) -> AddressData | None:
        d = self.cleaned_data
        if d["location_type"] != LocationType.ADDRESS:
            return None
        return AddressData(
            street=d["address_street"], postal_code=d["address_postal_code"],
            city=d["address_city"], latitude=d["address_latitude"],
            longitude=d["address_longitude"], label=d["address_label"],
        )  # fmt: skip

    def to_stock(self) -> StockData | None:
        d = self.cleaned_data
        if d["kind"] == TEMPLATE:
            return None
        return StockData(
            start_datetime=d["start_datetime"], end_datetime=d["end_datetime"],
            booking_limit_datetime=d["booking_limit_datetime"], price=d["price"],
            number_of_pupils=d["number_of_pupils"], price_detail=d["price_detail"].strip(),
        )  # fmt: skip

    @staticmethod
    def initial_from_offer(offer: Any) -> dict[str, Any]:
        """Prefill the editor from an existing offer, its address and its stock."""
        initial = CollectiveOfferForm.initial_from_template(offer)
        initial["kind"] = TEMPLATE if offer.is_template else BOOKABLE
        initial["target_uai"] = offer.target_school.uai if offer.target_school else ""
        if offer.address_id:
            a = offer.address
            initial.update(
                address_label=a.label, address_street=a.street,
                address_postal_code=a.postal_code, address_city=a.city,
                address_latitude=a.latitude, address_longitude=a.longitude,
            )  # fmt: skip
        stock = None if offer.is_template else getattr(offer, "stock", None)
        if stock is not None:
            initial.update(
                start_datetime=local_input(stock.start_datetime),
                end_datetime=local_input(stock.end_datetime),
                booking_limit_datetime=local_input(stock.booking_limit_datetime),
                price=_euros(stock.price), number_of_pupils=stock.number_of_pupils,
                price_detail=stock.price_detail,
            )  # fmt: skip
        return initial

    @staticmethod
    def initial_from_template(template: Any, request: Any | None = None) -> dict[str, Any]:
        """Prefill from a showcase offer (and the teacher's request being answered)."""
        initial: dict[str, Any] = {
            name: getattr(template, name)
            for name in [
                "name", "description", "domains", "levels", "formats", "duration_minutes",
                "location_type", "location_comment", "intervention_departments",
                "contact_email", "contact_phone",
            ]
        }  # fmt: skip
        initial["venue"] = template.venue_id
        if request is not None:
            initial["target_uai"] = request.school.uai
            initial["number_of_pupils"] = request.number_of_pupils
            if request.requested_date:
                initial["start_datetime"] = f"{request.requested_date:%Y-%m-%d}T10:00"
        return initial


class PriceForm(PageForm):
    price = TotalPriceField(
        label="Nouveau prix total (€)", error_messages={"required": "Indiquez le nouveau prix."}
    )
    price_detail = forms.CharField(
        label="Détail du prix (facultatif)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    @staticmethod
    def initial_from(stock: Any) -> dict[str, Any]:
        return {"price": _euros(stock.price), "price_detail": stock.price_detail}


class CollectiveProfileForm(PageForm):
    description = forms.CharField(
        label="Présentation de votre démarche auprès des scolaires",
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    domains = _multi("Domaines artistiques et culturels", labels.DOMAINS, required=False)
    levels = _multi("Niveaux scolaires accueillis", labels.LEVELS, required=False)
    formats = _multi("Formats proposés", labels.FORMATS, required=False)
    all_metropole = forms.BooleanField(
        label="J’interviens dans toute la France métropolitaine", required=False
    )
    intervention_departments = _departments("Sinon, départements où vous intervenez")
    contact_email = forms.EmailField(label="E-mail de contact pour les enseignants", required=False)
    contact_phone = char("Téléphone de contact pour les enseignants", required=False, max_length=20)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        no_contact = not (cleaned.get("contact_phone") or "").strip()
        if no_contact and not cleaned.get("contact_email") and "contact_email" not in self.errors:
            self.add_error(
                "contact_email",
                "Indiquez un e-mail ou un téléphone de contact pour les enseignants.",
            )
        return cleaned

    def to_data(self) -> CollectiveProfileData:
        d = self.cleaned_data
        return CollectiveProfileData(
            description=d["description"], domains=list(d["domains"]), levels=list(d["levels"]),
            formats=list(d["formats"]), all_metropole=d["all_metropole"],
            intervention_departments=[] if d["all_metropole"] else list(
                d["intervention_departments"]
            ),
            contact_email=d["contact_email"] or "", contact_phone=d["contact_phone"],
        )  # fmt: skip

    @staticmethod
    def initial_from(profile: Any) -> dict[str, Any]:
        if profile is None:
            return {}
        return {
            name: getattr(profile, name)
            for name in [
                "description", "domains", "levels", "formats", "all_metropole",
                "intervention_departments", "contact_email", "contact_phone",
            ]
        }  # fmt: skip


class CancelForm(PageForm):
    comment = forms.CharField(
        label="Motif de l’annulation (transmis à l’établissement)",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Indiquez le motif de l’annulation."},
    )
