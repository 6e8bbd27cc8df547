"""Forms of the teacher portal: catalogue filters (a GET form) and the request on a showcase."""

from django import forms

from passculture.collective import catalogue
from passculture.collective.models import School
from passculture.core.money import euros_to_cents
from passculture.offerers.rules import DEPARTMENTS
from passculture.web.forms import PageForm

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
KINDS = [("", "Toutes les offres"), ("bookable", "Offres datées"), ("template", "Offres vitrines")]


SELECT = {"class": "fr-select"}


def _select() -> forms.Select:
    return forms.Select(attrs=SELECT)


def _choices(values: dict[str, str], empty: str) -> list[tuple[str, str]]:
    return [("", empty), *values.items()]


class CatalogueForm(forms.Form):
    """Every filter is optional; an invalid value is reported and ignored, never a 400."""

    q = forms.CharField(label="Rechercher", required=False, max_length=100)
    domaine = forms.ChoiceField(
        label="Domaine",
        required=False,
        choices=_choices(catalogue.DOMAINS, "Tous les domaines"),
        widget=_select(),
    )
    niveau = forms.ChoiceField(
        label="Niveau",
        required=False,
        choices=_choices(catalogue.LEVELS, "Tous les niveaux"),
        widget=_select(),
    )
    format = forms.ChoiceField(
        label="Format",
        required=False,
        choices=_choices(catalogue.FORMATS, "Tous les formats"),
        widget=_select(),
    )
    type = forms.ChoiceField(label="Type d’offre", required=False, choices=KINDS, widget=_select())
    du = forms.DateField(label="Du", required=False, input_formats=DATE_FORMATS)
    au = forms.DateField(label="Au", required=False, input_formats=DATE_FORMATS)
    prix_max = forms.CharField(label="Prix maximum (€)", required=False, max_length=12)
    rayon = forms.TypedChoiceField(
        label="Autour de mon établissement",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Toutes distances")] + [(r, f"{r} km") for r in catalogue.RADII_KM],
        widget=_select(),
    )
    departement = forms.ChoiceField(
        label="Département",
        required=False,
        choices=[("", "Tous les départements")]
        + [(code, f"{code} — {name}") for code, name in DEPARTMENTS.items()],
        widget=_select(),
    )
    academie = forms.ChoiceField(
        label="Académie",
        required=False,
        choices=[("", "Toutes les académies")] + [(a, a) for a in catalogue.ACADEMIES],
        widget=_select(),
    )
    intervention = forms.BooleanField(
        label="Structures qui viennent dans mon département", required=False
    )
    # Map bounds, sent by the map (hidden fields).
    s = forms.FloatField(required=False, widget=forms.HiddenInput)
    w = forms.FloatField(required=False, widget=forms.HiddenInput)
    n = forms.FloatField(required=False, widget=forms.HiddenInput)
    e = forms.FloatField(required=False, widget=forms.HiddenInput)

    def clean_prix_max(self) -> int | None:
        text = self.cleaned_data.get("prix_max", "").strip()
        if not text:
            return None
        cents = euros_to_cents(text) if _is_number(text) else -1
        if cents < 0:
            raise forms.ValidationError("Prix maximum invalide : un montant en euros, ex. 300.")
        return cents

    def filters(self, school: School) -> catalogue.CatalogueFilters:
        """The valid filters (invalid fields are left out and shown as errors)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        get = data.get
        bounds = None
        if all(get(k) is not None for k in "swne"):
            bounds = catalogue.Bounds.parse(get("s"), get("w"), get("n"), get("e"))
        return catalogue.CatalogueFilters(
            text=(get("q") or "").strip(),
            domain=get("domaine") or "",
            level=get("niveau") or "",
            format=get("format") or "",
            kind=get("type") or "",
            date_from=get("du"),
            date_to=get("au"),
            max_price=get("prix_max"),
            department=get("departement") or "",
            academy=get("academie") or "",
            radius_km=get("rayon"),
            comes_to_department=school.department_code if get("intervention") else "",
            bounds=bounds,
        )

    @property
    def searching(self) -> bool:
        """Any filter set, bounds aside."""
        return any(self.data.get(name) for name in self.fields if name not in {"s", "w", "n", "e"})


def _is_number(text: str) -> bool:
    return text.replace(",", "").replace(".", "").replace(" ", "").isdigit()


class RequestForm(PageForm):
    requested_date = forms.DateField(
        label="Date souhaitée (facultatif)",
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Saisissez une date valide, par exemple 12/03/2027."},
    )
    number_of_pupils = forms.IntegerField(
        label="Nombre d’élèves",
        min_value=1,
        max_value=3000,
        error_messages={
            "required": "Le champ « Nombre d’élèves » est obligatoire.",
            "invalid": "Saisissez un nombre d’élèves.",
            "min_value": "Au moins un élève.",
            "max_value": "3 000 élèves au plus.",
        },
    )
    message = forms.CharField(
        label="Votre message à la structure",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Votre projet, la classe, vos contraintes de dates et d’horaires.",
        error_messages={"required": "Écrivez un message à la structure."},
    )
