"""Forms of the offer editor: details (with the subcategory's own fields), tariffs, dates."""

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.urls import reverse

from passculture.core.money import InvalidAmount, euros_to_cents
from passculture.offerers.models import Venue
from passculture.offers import catalogue
from passculture.offers.models import WithdrawalType
from passculture.offers.services import AddressData, OfferData
from passculture.web.forms import PageForm, char

PARIS = ZoneInfo("Europe/Paris")


def subcategory_choices() -> list[tuple[str, Any]]:
    groups: list[tuple[str, Any]] = [("", "— Choisir une catégorie —")]
    for category, subs in catalogue.subcategories_by_category():
        options = [(s.id, s.label) for s in subs if s.selectable]
        if options:
            groups.append((category.label, options))
    return groups


class EuroField(forms.Field):
    """A price typed in euros ("12,50"), cleaned to integer cents."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "12,50"})
    max_cents = 30_000
    range_message = "Le prix doit être compris entre 0 € et 300 €."

    def to_python(self, value: Any) -> int | None:
        text = str(value or "").strip()[:20]
        if not text:
            return None
        try:
            cents = euros_to_cents(text)
        except InvalidAmount as exc:
            raise forms.ValidationError(exc.text) from exc
        if not 0 <= cents <= self.max_cents:
            raise forms.ValidationError(self.range_message)
        return cents


class LocalDateTimeField(forms.DateTimeField):
    """datetime-local input read in Europe/Paris, cleaned to aware UTC."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    input_formats = ["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"]

    def to_python(self, value: Any) -> dt.datetime | None:
        parsed = super().to_python(value)
        if parsed is None:
            return None
        return parsed.replace(tzinfo=None).replace(tzinfo=PARIS).astimezone(dt.UTC)


def local_input(value: dt.datetime | None) -> str:
    return value.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M") if value else ""


class OfferForm(PageForm):
    """The details step. Extra fields (extra_<name>) depend on the chosen subcategory."""

    subcategory_id = forms.ChoiceField(
        label="Catégorie", error_messages={"required": "Choisissez la catégorie de l’offre."}
    )
    name = char("Titre de l’offre", max_length=90)
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    venue: forms.ModelChoiceField[Venue] = forms.ModelChoiceField(
        label="Lieu",
        queryset=Venue.objects.none(),
        error_messages={
            "required": "Choisissez le lieu de l’offre.",
            "invalid_choice": "Ce lieu n’existe pas ou n’est pas le vôtre.",
        },
    )
    location = forms.ChoiceField(
        label="Où se passe l’offre ?",
        choices=[("venue", "À l’adresse du lieu"), ("other", "À une autre adresse")],
        initial="venue",
        widget=forms.RadioSelect,
    )
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
    url = forms.URLField(
        label="Adresse web de l’offre (offres numériques)", required=False, assume_scheme="https"
    )
    is_duo = forms.BooleanField(label="Accepter les réservations à deux (duo)", required=False)
    duration_minutes = forms.IntegerField(
        label="Durée (minutes, facultatif)", required=False, min_value=1, max_value=100_000
    )
    withdrawal_type = forms.ChoiceField(
        label="Comment le jeune obtient-il son billet ?",
        required=False,
        choices=[("", "—"), *WithdrawalType.choices],
    )
    withdrawal_delay_hours = forms.IntegerField(
        label="Envoi du billet : combien d’heures avant ?",
        required=False,
        min_value=0,
        max_value=24 * 30,
    )
    withdrawal_details = forms.CharField(
        label="Informations de retrait (facultatif)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    booking_contact = forms.EmailField(
        label="E-mail de contact pour les jeunes (facultatif)", required=False
    )
    booking_email = forms.EmailField(
        label="E-mail qui reçoit les réservations (facultatif)", required=False
    )
    external_ticket_office_url = forms.URLField(
        label="Billetterie externe (facultatif)",
        required=False,
        assume_scheme="https",
        max_length=2083,
    )
    motor_accessible = forms.BooleanField(label="Accessible handicap moteur", required=False)
    visual_accessible = forms.BooleanField(label="Accessible handicap visuel", required=False)
    hearing_accessible = forms.BooleanField(label="Accessible handicap auditif", required=False)
    mental_accessible = forms.BooleanField(
        label="Accessible handicap psychique ou cognitif", required=False
    )
    publication_datetime = LocalDateTimeField(
        label="Publier le (facultatif : dès validation)", required=False
    )
    booking_allowed_datetime = LocalDateTimeField(
        label="Réservable à partir du (facultatif)", required=False
    )
    fill_alert_threshold = forms.IntegerField(
        label="Me prévenir quand les places sont remplies à (%)",
        required=False,
        min_value=1,
        max_value=100,
        help_text="Par exemple 80 : un e-mail vous invite à augmenter le contingent.",
    )

    def __init__(self, *args: Any, venues: Any, subcategory_id: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = venues
        self.fields["venue"].label_from_instance = lambda v: (
            f"{v.display_name} ({v.offerer.name})" + (" — en ligne" if v.is_virtual else "")
        )
        if not self.is_bound and "venue" not in self.initial and len(venues) == 1:
            self.initial["venue"] = venues[0].pk
        self.fields["subcategory_id"].choices = subcategory_choices()
        # HTMX swaps in the chosen subcategory's own fields (show type, EAN…).
        self.fields["subcategory_id"].widget.attrs.update(
            {
                "hx-get": reverse("pro:offer_extra_fields"),
                "hx-target": "#extra-fields",
                "hx-swap": "outerHTML",
                "hx-trigger": "change",
            }
        )
        chosen = (self.data.get("subcategory_id") if self.is_bound else None) or subcategory_id
        self.subcategory = catalogue.SUBCATEGORIES.get(chosen or "")
        self.extra_names: list[str] = []
        if self.subcategory is None:
            return
        for field in self.subcategory.extra_fields:
            name = f"extra_{field.name}"
            self.extra_names.append(name)
            options = catalogue.field_choices(self.subcategory, field)
            label = field.label if field.required else f"{field.label} (facultatif)"
            if options:
                self.fields[name] = forms.ChoiceField(
                    label=label, required=False, choices=[("", "—"), *options.items()]
                )
            else:
                self.fields[name] = forms.CharField(label=label, required=False, max_length=300)

    def extra_fields(self) -> list[Any]:
        return [self[name] for name in self.extra_names]

    def to_data(self) -> OfferData:
        d = self.cleaned_data
        address = None
        if d.get("location") == "other":
            address = AddressData(
                street=d["address_street"],
                postal_code=d["address_postal_code"],
                city=d["address_city"],
                latitude=d["address_latitude"],
                longitude=d["address_longitude"],
                label=d["address_label"],
            )
        return OfferData(
            name=d["name"],
            subcategory_id=d["subcategory_id"],
            description=d["description"],
            extra_data={n.removeprefix("extra_"): d.get(n) or "" for n in self.extra_names},
            address=address,
            url=d["url"] or "",
            is_duo=d["is_duo"],
            duration_minutes=d["duration_minutes"],
            withdrawal_type=d["withdrawal_type"] or "",
            withdrawal_delay_hours=d["withdrawal_delay_hours"],
            withdrawal_details=d["withdrawal_details"],
            booking_contact=d["booking_contact"] or "",
            booking_email=d["booking_email"] or "",
            external_ticket_office_url=d["external_ticket_office_url"] or "",
            motor_accessible=d["motor_accessible"],
            visual_accessible=d["visual_accessible"],
            hearing_accessible=d["hearing_accessible"],
            mental_accessible=d["mental_accessible"],
            publication_datetime=d["publication_datetime"],
            booking_allowed_datetime=d["booking_allowed_datetime"],
            fill_alert_threshold=d["fill_alert_threshold"],
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("location") == "other":
            for name in ["address_street", "address_postal_code", "address_city"]:
                if not cleaned.get(name):
                    self.add_error(name, "Obligatoire pour une offre à une autre adresse.")
            if cleaned.get("address_latitude") is None or cleaned.get("address_longitude") is None:
                self.add_error(
                    "address_latitude",
                    "Placez l’endroit sur la carte ou saisissez ses coordonnées.",
                )
        return cleaned

    @staticmethod
    def initial_from(offer: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(offer, name)
            for name in [
                "subcategory_id",
                "name",
                "description",
                "url",
                "is_duo",
                "duration_minutes",
                "withdrawal_type",
                "withdrawal_delay_hours",
                "withdrawal_details",
                "booking_contact",
                "booking_email",
                "external_ticket_office_url",
                "motor_accessible",
                "visual_accessible",
                "hearing_accessible",
                "mental_accessible",
                "fill_alert_threshold",
            ]
        }
        initial["venue"] = offer.venue_id
        initial["publication_datetime"] = local_input(offer.publication_datetime)
        initial["booking_allowed_datetime"] = local_input(offer.booking_allowed_datetime)
        initial["location"] = "other" if offer.address_id else "venue"
        if offer.address_id:
            a = offer.address
            initial.update(
                address_label=a.label,
                address_street=a.street,
                address_postal_code=a.postal_code,
                address_city=a.city,
                address_latitude=a.latitude,
                address_longitude=a.longitude,
            )
        for key, value in (offer.extra_data or {}).items():
            initial[f"extra_{key}"] = value
        return initial


class PriceCategoryForm(PageForm):
    label = char(
        "Libellé du tarif",
        max_length=50,
        widget=forms.TextInput(attrs={"list": "price-labels", "placeholder": "Plein tarif"}),
    )
    price = EuroField(
        label="Prix (€)",
        error_messages={"required": "Indiquez le prix (0 pour un tarif gratuit)."},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "12,50"}),
    )


class ThingStockForm(PageForm):
    price = EuroField(label="Prix (€)", error_messages={"required": "Indiquez le prix."})
    quantity = forms.IntegerField(label="Quantité (vide = illimitée)", required=False, min_value=0)
    booking_limit_datetime = LocalDateTimeField(
        label="Réservable jusqu’au (facultatif)", required=False
    )


WEEKDAY_CHOICES = [
    (str(i), label.capitalize())
    for i, label in enumerate(
        ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
    )
]


class DateGeneratorForm(PageForm):
    """One date, or a recurrence: range × weekdays × time slots − exceptions, × tariffs."""

    start = forms.DateField(
        label="Du",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Indiquez la première date.", "invalid": "Date invalide."},
    )
    end = forms.DateField(
        label="Au (vide = une seule date)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    weekdays = forms.MultipleChoiceField(
        label="Jours de la semaine (aucun = tous les jours)",
        required=False,
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    times = char(
        "Horaires (séparés par des virgules)",
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "14:00, 20:30"}),
    )
    exceptions = forms.CharField(
        label="Sauf les jours (facultatif, un par ligne, JJ/MM/AAAA)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    price_categories = forms.MultipleChoiceField(
        label="Tarifs",
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choisissez au moins un tarif."},
    )
    quantity = forms.IntegerField(
        label="Places par date et tarif (vide = illimité)", required=False, min_value=0
    )
    booking_limit_hours = forms.IntegerField(
        label="Fin des réservations : heures avant le début (vide = la veille à 23 h 59)",
        required=False,
        min_value=0,
        max_value=24 * 90,
    )

    def __init__(self, *args: Any, categories: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["price_categories"].choices = [
            (str(c.pk), f"{c.label} — {Decimal(c.price) / 100:.2f} €".replace(".", ","))
            for c in categories
        ]

    def clean_times(self) -> tuple[dt.time, ...]:
        out = []
        for part in self.cleaned_data["times"].replace(";", ",").split(","):
            text = part.strip().lower().replace("h", ":")
            if not text:
                continue
            if text.endswith(":"):
                text += "00"
            try:
                out.append(dt.datetime.strptime(text, "%H:%M").time())
            except ValueError as exc:
                raise forms.ValidationError(
                    f"Horaire invalide : « {part.strip()} » (format 20:30)."
                ) from exc
        if not out:
            raise forms.ValidationError("Indiquez au moins un horaire.")
        return tuple(sorted(set(out)))

    def clean_exceptions(self) -> frozenset[dt.date]:
        days = set()
        for line in self.cleaned_data["exceptions"].replace(",", "\n").splitlines():
            text = line.strip()
            if not text:
                continue
            for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
                try:
                    days.add(dt.datetime.strptime(text, fmt).date())
                    break
                except ValueError:
                    continue
            else:
                raise forms.ValidationError(
                    f"Date à exclure invalide : « {text} » (format JJ/MM/AAAA)."
                )
        return frozenset(days)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "La date de fin doit suivre la date de début.")
        if start and end and (end - start).days > 366:
            self.add_error("end", "Une série couvre un an au plus.")
        return cleaned
