"""Forms of the youth app: sign-up, identity, booking, residence, consent, offer search."""

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from passculture.accounts.identity import available_providers
from passculture.accounts.models import User
from passculture.offers import catalogue, nearby
from passculture.web.forms import PageForm, char

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def birth_date_field(label: str = "Date de naissance") -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        error_messages={
            "required": f"Le champ « {label} » est obligatoire.",
            "invalid": "Saisissez une date valide, par exemple 14/07/2009.",
        },
    )


def postal_code_field() -> forms.CharField:
    return forms.CharField(
        label="Code postal",
        max_length=5,
        min_length=5,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
        error_messages={
            "required": "Le champ « Code postal » est obligatoire.",
            "min_length": "Le code postal compte 5 chiffres.",
            "max_length": "Le code postal compte 5 chiffres.",
        },
    )


def city_field() -> forms.CharField:
    return char(
        "Commune", max_length=100, widget=forms.TextInput(attrs={"autocomplete": "address-level2"})
    )


class YouthSignupForm(PageForm):
    first_name = char("Prénom", widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = char("Nom", widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    email = forms.EmailField(
        label="Adresse e-mail",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Le champ « Adresse e-mail » est obligatoire.",
            "invalid": "Saisissez une adresse e-mail valide, par exemple prenom@exemple.fr.",
        },
    )
    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="10 caractères au moins, pas uniquement des chiffres.",
        error_messages={"required": "Choisissez un mot de passe."},
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Saisissez à nouveau le mot de passe."},
    )
    birth_date = birth_date_field()
    postal_code = postal_code_field()
    city = city_field()

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "Les deux mots de passe ne correspondent pas.")
        elif p1:
            someone = User(
                email=cleaned.get("email") or "",
                first_name=cleaned.get("first_name") or "",
                last_name=cleaned.get("last_name") or "",
            )
            try:
                password_validation.validate_password(p1, someone)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class IdentityForm(PageForm):
    first_name = char("Prénom (comme sur la pièce d’identité)")
    last_name = char("Nom (comme sur la pièce d’identité)")
    birth_date = birth_date_field()
    document_number = char(
        "Numéro de la pièce d’identité",
        max_length=30,
        help_text="Carte nationale d’identité, passeport ou titre de séjour.",
    )
    provider = forms.ChoiceField(
        label="Mode de vérification",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez un mode de vérification.",
            "invalid_choice": "Ce mode de vérification n’est pas disponible.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["provider"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = list(available_providers().items())
        field.initial = "staff_review"

    def declared(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            "first_name": data["first_name"].strip(),
            "last_name": data["last_name"].strip(),
            "birth_date": data["birth_date"].isoformat(),
            "document_number": "".join(data["document_number"].split()).upper(),
        }


class BookForm(PageForm):
    """Which stock and how many seats; the page draws the choices grouped by day itself."""

    stock = forms.TypedChoiceField(
        label="Date et tarif",
        coerce=int,
        error_messages={
            "required": "Choisissez une date et un tarif.",
            "invalid_choice": "Cette date n’est plus proposée : choisissez-en une autre.",
        },
    )
    quantity = forms.TypedChoiceField(
        label="Nombre de places",
        coerce=int,
        choices=[(1, "1 place"), (2, "2 places (duo)")],
        error_messages={
            "required": "Choisissez le nombre de places.",
            "invalid_choice": "Vous pouvez réserver 1 place, ou 2 si l’offre est en duo.",
        },
    )

    def __init__(self, *args, stock_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        stock = self.fields["stock"]
        assert isinstance(stock, forms.ChoiceField)
        # Every upcoming stock is a valid choice: the booking service, under lock, has the
        # last word, so "complet" or "closed" come back as its own French refusal.
        stock.choices = [(pk, str(pk)) for pk in stock_ids]


class ResidenceForm(PageForm):
    postal_code = postal_code_field()
    city = city_field()


class MarketingForm(PageForm):
    marketing_opt_in = forms.BooleanField(
        label="Recevoir des suggestions d’offres près de chez moi", required=False
    )


def _coordinate(text: str | None, bound: float) -> float | None:
    try:
        value = float((text or "").replace(",", "."))
    except ValueError:
        return None
    return value if -bound <= value <= bound else None


def parse_search(get, *, department_code: str) -> nearby.NearbyQuery:
    """Read the offer search from the query string, dropping anything malformed."""
    category = get.get("categorie", "")
    radius = get.get("rayon", "")
    latitude, longitude = _coordinate(get.get("lat"), 90), _coordinate(get.get("lon"), 180)
    if latitude is None or longitude is None:
        latitude = longitude = None
    return nearby.NearbyQuery(
        department_code=department_code,
        text=get.get("q", "").strip()[:100],
        category_id=category if category in catalogue.CATEGORIES else "",
        latitude=latitude,
        longitude=longitude,
        radius_km=int(radius)
        if radius.isdigit() and int(radius) in nearby.RADII_KM
        else nearby.DEFAULT_RADIUS_KM,
    )
