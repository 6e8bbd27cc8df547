"""The export page's forms: the bookings tab's filters (query string) and the export choice.

The filters use `BookingFilters`' own names (period, date_from, date_to, status, venue_id,
offer_id, price_category_id, token, beneficiary, kind). The bookings tab writes its query
string in French (periode, du, au, statut, lieu, offre=i12, tarif, contremarque,
beneficiaire, type): `normalise_query` maps those onto ours, so the tab can link here with
its own query string unchanged.
"""

from typing import Any

from django import forms
from django.http import QueryDict

from passculture.accounts.models import User
from passculture.bookings.models import BookingStatus
from passculture.collective.models import CollectiveBookingStatus
from passculture.exports import registry
from passculture.exports.formats import FORMATS
from passculture.offerers.models import Offerer
from passculture.offerers.selectors import venues_for_user
from passculture.web.forms import PageForm

FILTER_NAMES = (
    "period", "date_from", "date_to", "status", "venue_id", "offer_id", "price_category_id",
    "token", "beneficiary", "kind",
)  # fmt: skip
_FRENCH = {
    "periode": "period",
    "du": "date_from",
    "au": "date_to",
    "statut": "status",
    "lieu": "venue_id",
    "tarif": "price_category_id",
    "contremarque": "token",
    "beneficiaire": "beneficiary",
    "type": "kind",
}
INVALID = {"invalid_choice": "Valeur inconnue : choisissez dans la liste."}
STATUS_CHOICES = [("", "Tous")] + sorted(
    set(BookingStatus.choices) | set(CollectiveBookingStatus.choices), key=lambda c: c[0]
)


def normalise_query(query: QueryDict) -> QueryDict:
    """The bookings tab's French parameters → ours (ours win when both are given)."""
    out = query.copy()
    for french, name in _FRENCH.items():
        if french in query and name not in query:
            out[name] = str(query[french])
    offer = str(query.get("offre", ""))
    if "offer_id" not in query and len(offer) > 1 and offer[0] in "ic" and offer[1:].isdigit():
        out["offer_id"] = offer[1:]
        if out.get("kind", "all") == "all":
            out["kind"] = "individual" if offer[0] == "i" else "collective"
    elif "offer_id" not in query and offer.isdigit():  # statistics pages: individual offers
        out["offer_id"] = offer
    return out


def _date(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Date invalide : utilisez le format jj/mm/aaaa."},
    )


def _id(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"invalid": f"{label} : identifiant invalide."},
    )


class ExportFilterForm(PageForm):
    """The same filters as the bookings tab (GET or hidden fields of the export form)."""

    period = forms.ChoiceField(
        label="Période selon",
        required=False,
        choices=[("booked", "Date de réservation"), ("event", "Date de l’évènement")],
        error_messages=INVALID,
    )
    date_from = _date("Du")
    date_to = _date("Au")
    status = forms.ChoiceField(
        label="Statut", choices=STATUS_CHOICES, required=False, error_messages=INVALID
    )
    venue_id = forms.TypedChoiceField(
        label="Lieu", coerce=int, required=False, empty_value=None, error_messages=INVALID
    )
    offer_id = _id("Offre")
    price_category_id = _id("Tarif")
    token = forms.CharField(label="Contremarque", required=False, max_length=20)
    beneficiary = forms.CharField(
        label="Bénéficiaire", required=False, max_length=100,
        help_text="Nom, prénom ou e-mail du jeune ; établissement ou enseignant",
    )  # fmt: skip
    kind = forms.ChoiceField(
        label="Type",
        required=False,
        choices=[("all", "Toutes"), ("individual", "Individuelles"), ("collective", "Collectives")],
        error_messages=INVALID,
    )

    def __init__(self, user: User, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        venues = venues_for_user(user).order_by("name", "pk")
        self.fields["venue_id"].choices = [("", "Tous")] + [
            (pk, public or name)
            for pk, name, public in venues.values_list("pk", "name", "public_name")
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "La date de fin doit être après la date de début.")
        return data

    def params(self) -> dict[str, Any]:
        """JSON-able filters (stored on a background job); call after is_valid()."""
        data = self.cleaned_data
        out: dict[str, Any] = {}
        for name in FILTER_NAMES:
            value = data.get(name)
            if value in (None, ""):
                continue
            out[name] = value.isoformat() if hasattr(value, "isoformat") else value
        if "token" in out:
            out["token"] = str(out["token"]).strip().upper()
        # Statistics exports name their table (`table=bands`…); the exporter checks it.
        table = str((self.data or {}).get("table", ""))
        if table.isidentifier() and len(table) <= 30:
            out["table"] = table
        return out


class ExportChoiceForm(PageForm):
    """What to export, from which structure, in which format (columns are parsed apart)."""

    exporter = forms.ChoiceField(label="Données", error_messages=INVALID)
    offerer = forms.TypedChoiceField(label="Structure", coerce=int, error_messages=INVALID)
    format = forms.ChoiceField(
        label="Format",
        choices=[(key, label) for key, (label, _w, _t) in FORMATS.items()],
        initial="xlsx",
        widget=forms.RadioSelect,
        error_messages=INVALID,
    )

    def __init__(self, offerers: list[Offerer], data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["exporter"].choices = [(e.key, e.label) for e in registry.all_exporters()]
        self.fields["offerer"].choices = [(o.pk, o.name) for o in offerers]


class PresetNameForm(PageForm):
    preset_name = forms.CharField(
        label="Nom du modèle", max_length=80, required=False,
        help_text="Enregistre ce choix de colonnes pour toute la structure",
    )  # fmt: skip
