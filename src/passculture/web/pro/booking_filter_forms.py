"""The bookings tab's filter form (GET): parses the query string into BookingFilters.

Shared with the exports, so "these bookings" means the same on both pages. Every choice is
built from the pro's own venues and offers: an id of another structure is an unknown value
(a form error), never a way to learn about it. Individual and collective offers have
separate ids, so the offer choice carries its kind ("i12", "c7").
"""

from typing import Any, Literal

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from passculture.accounts.models import User
from passculture.bookings import rules
from passculture.bookings.listing import BookingFilters, Cursor
from passculture.collective.models import CollectiveOffer
from passculture.offerers.selectors import venues_for_user
from passculture.offers.models import Offer, PriceCategory
from passculture.web.forms import PageForm

STATUS_CHOICES = [
    ("", "Tous"),
    ("pending", "Préréservée (collectif)"),
    ("confirmed", "Confirmée"),
    ("used", "Validée"),
    ("reimbursed", "Remboursée"),
    ("cancelled", "Annulée"),
]
PERIOD_CHOICES = [("booked", "Date de réservation"), ("event", "Date de l’évènement")]
KIND_CHOICES = [("all", "Toutes"), ("individual", "Individuelles"), ("collective", "Collectives")]
# A select stays usable; past this the pro narrows by venue first.
MAX_OFFER_CHOICES = 500
INVALID = {"invalid_choice": "Valeur inconnue : choisissez dans la liste."}


class FastSelect(forms.Select):
    """A select whose options are written in Python: through the per-option widget templates,
    a list of a few hundred offers cost more than the whole bookings page."""

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{escape(name)}"{flatatt(widget["attrs"])}>']
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(f'<optgroup label="{escape(group)}">')
            parts.extend(
                f'<option value="{escape(option["value"])}"'
                f"{' selected' if option['selected'] else ''}>{escape(option['label'])}</option>"
                for option in options
            )
            if group:
                parts.append("</optgroup>")
        parts.append("</select>")
        # Every value and label above went through escape(); flatatt escapes the attributes.
        return mark_safe("".join(parts))  # noqa: S308


def _date(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Date invalide : utilisez le format jj/mm/aaaa."},
    )


class BookingFilterForm(PageForm):
    """GET parameters in French: periode, du, au, statut, lieu, offre, tarif, contremarque,
    beneficiaire, type; plus the pagination cursors avant / apres."""

    periode = forms.ChoiceField(
        label="Période selon", choices=PERIOD_CHOICES, required=False, error_messages=INVALID
    )
    du = _date("Du")
    au = _date("Au")
    statut = forms.ChoiceField(
        label="Statut", choices=STATUS_CHOICES, required=False, error_messages=INVALID
    )
    lieu = forms.TypedChoiceField(
        label="Lieu", coerce=int, required=False, empty_value=None, error_messages=INVALID,
        widget=FastSelect,
    )  # fmt: skip
    offre = forms.ChoiceField(
        label="Offre", required=False, error_messages=INVALID, widget=FastSelect
    )
    tarif = forms.TypedChoiceField(
        label="Tarif", coerce=int, required=False, empty_value=None, error_messages=INVALID,
        widget=FastSelect,
    )  # fmt: skip
    contremarque = forms.CharField(label="Contremarque", required=False, max_length=20)
    beneficiaire = forms.CharField(
        label="Bénéficiaire", required=False, max_length=100,
        help_text="Nom, prénom ou e-mail du jeune ; établissement ou enseignant",
    )  # fmt: skip
    type = forms.ChoiceField(
        label="Type", choices=KIND_CHOICES, required=False, error_messages=INVALID
    )
    avant = forms.CharField(required=False, widget=forms.HiddenInput, max_length=60)
    apres = forms.CharField(required=False, widget=forms.HiddenInput, max_length=60)

    def __init__(self, user: User, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        venues = venues_for_user(user).order_by("name", "pk")
        venue_rows = list(venues.values_list("pk", "name", "public_name"))
        self.has_venues = bool(venue_rows)
        self.fields["lieu"].choices = [("", "Tous")] + [
            (pk, public or name) for pk, name, public in venue_rows
        ]
        individual = Offer.objects.filter(venue__in=venues).order_by("name", "pk")
        collective = CollectiveOffer.objects.filter(venue__in=venues, is_template=False).order_by(
            "name", "pk"
        )
        self.fields["offre"].choices = [
            ("", "Toutes"),
            (
                "Offres individuelles",
                [
                    (f"i{pk}", name)
                    for pk, name in individual.values_list("pk", "name")[:MAX_OFFER_CHOICES]
                ],
            ),
            (
                "Offres collectives",
                [
                    (f"c{pk}", name)
                    for pk, name in collective.values_list("pk", "name")[:MAX_OFFER_CHOICES]
                ],
            ),
        ]
        categories = PriceCategory.objects.filter(offer__venue__in=venues).order_by(
            "offer__name", "price", "pk"
        )
        chosen = self.data.get("offre", "") if self.is_bound else ""
        if chosen.startswith("i") and chosen[1:].isdigit() and len(chosen) < 19:
            categories = categories.filter(offer_id=int(chosen[1:]))
        self.fields["tarif"].choices = [("", "Tous")] + [
            (pk, f"{label} — {offer_name}")
            for pk, label, offer_name in categories.values_list("pk", "label", "offer__name")[
                :MAX_OFFER_CHOICES
            ]
        ]

    def clean_contremarque(self) -> str:
        token = rules.normalize_token(self.cleaned_data.get("contremarque") or "")
        if token and not rules.is_token(token):
            raise forms.ValidationError(
                "Une contremarque compte 6 caractères (lettres et chiffres, sans 0, 1, 8, 9, I, O)."
            )
        return token

    def _cursor(self, name: str) -> Cursor | None:
        text = self.cleaned_data.get(name) or ""
        if not text:
            return None
        cursor = Cursor.decode(text)
        if cursor is None:
            raise forms.ValidationError("Lien de pagination invalide : revenez à la première page.")
        return cursor

    def clean_avant(self) -> Cursor | None:
        return self._cursor("avant")

    def clean_apres(self) -> Cursor | None:
        return self._cursor("apres")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("du"), data.get("au")
        if start and end and start > end:
            self.add_error("au", "La date de fin doit être après la date de début.")
        offer = data.get("offre") or ""
        kind = data.get("type") or "all"
        if offer:
            offer_kind = "individual" if offer.startswith("i") else "collective"
            if kind not in ("all", offer_kind):
                self.add_error(
                    "offre",
                    "Cette offre est "
                    + ("individuelle" if offer_kind == "individual" else "collective")
                    + " : choisissez le type « Toutes » ou le sien.",
                )
        return data

    def filters(self) -> BookingFilters:
        """The parsed filters (call after is_valid() returned True)."""
        data = self.cleaned_data
        offer = data.get("offre") or ""
        chosen = data.get("type") or "all"
        if offer and chosen == "all":
            chosen = "individual" if offer.startswith("i") else "collective"
        kind: Literal["all", "individual", "collective"] = (
            "individual"
            if chosen == "individual"
            else "collective"
            if chosen == "collective"
            else "all"
        )
        return BookingFilters(
            period="event" if data.get("periode") == "event" else "booked",
            date_from=data.get("du"),
            date_to=data.get("au"),
            status=data.get("statut") or "",
            venue_id=data.get("lieu"),
            offer_id=int(offer[1:]) if offer else None,
            price_category_id=data.get("tarif"),
            token=data.get("contremarque") or "",
            beneficiary=(data.get("beneficiaire") or "").strip(),
            kind=kind,
        )
