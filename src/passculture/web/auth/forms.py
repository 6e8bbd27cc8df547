from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from dsfr.forms import DsfrBaseForm

from passculture.accounts import throttle
from passculture.accounts.errors import TooManyLoginAttempts
from passculture.core.mail import queue_mail
from passculture.web.forms import PageForm, char


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


class LoginForm(DsfrBaseForm, AuthenticationForm):
    """E-mail + password, throttled per e-mail and per IP."""

    username = forms.EmailField(
        label="Adresse e-mail",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": "Adresse e-mail ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
    }

    def clean(self):
        email = self.data.get("username", "")
        ip = client_ip(self.request)
        try:
            throttle.check_login_allowed(email=email, ip=ip)
        except TooManyLoginAttempts as exc:
            raise ValidationError(exc.text, code=exc.code) from exc
        try:
            cleaned = super().clean()
        except ValidationError:
            throttle.record_login_failure(email=email, ip=ip)
            raise
        throttle.clear_login_failures(email=email, ip=ip)
        return cleaned


class SignupForm(PageForm):
    first_name = char("Prénom")
    last_name = char("Nom")
    email = forms.EmailField(
        label="Adresse e-mail",
        error_messages={
            "required": "Le champ « Adresse e-mail » est obligatoire.",
            "invalid": "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.",
        },
    )
    phone = char("Téléphone (facultatif)", required=False, max_length=20)
    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="10 caractères au moins, pas uniquement des chiffres.",
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "Les deux mots de passe ne correspondent pas.")
        elif p1:
            try:
                password_validation.validate_password(p1)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class ResetRequestForm(DsfrBaseForm, PasswordResetForm):
    email = forms.EmailField(label="Adresse e-mail du compte")

    def save(self, domain_override=None, request=None, **kwargs):  # type: ignore[override]
        """Queue our own e-mail (a task) instead of Django's synchronous send."""
        token_generator = kwargs.get("token_generator")
        for user in self.get_users(self.cleaned_data["email"]):
            uid = urlsafe_base64_encode(force_bytes(user.pk))
            token = token_generator.make_token(user)  # type: ignore[union-attr]
            path = reverse("accounts:password_reset_confirm", args=[uid, token])
            queue_mail(
                to=[user.email],
                template="password_reset",
                context={"first_name": user.first_name, "path": path},
            )
