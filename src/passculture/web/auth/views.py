from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST
from dsfr.forms import DsfrBaseForm

from passculture.accounts import services
from passculture.accounts.models import Role
from passculture.core.errors import DomainError
from passculture.web.auth.forms import LoginForm, ResetRequestForm, SignupForm


class DsfrSetPasswordForm(DsfrBaseForm, SetPasswordForm):
    pass


def home_url_for(user) -> str:
    """Each audience lands on its own portal after login."""
    if user.role == Role.BENEFICIARY:
        return "/jeunes/"
    if user.role in (Role.TEACHER, Role.HEAD):
        return "/enseignants/"
    return "/pro/"


class LoginView(auth_views.LoginView):
    template_name = "auth/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    extra_context = {"page_title": "Connexion"}

    def get_default_redirect_url(self) -> str:
        return home_url_for(self.request.user)


class LogoutView(auth_views.LogoutView):
    pass


def signup(request):
    if request.user.is_authenticated:
        return redirect(home_url_for(request.user))
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.register_user(
                email=data["email"], password=data["password1"], first_name=data["first_name"],
                last_name=data["last_name"], phone=data["phone"],
            )  # fmt: skip
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                "Votre compte est créé. Un lien de confirmation vous a été envoyé par e-mail.",
            )
            return redirect("pro:home")
    return render(
        request, "auth/signup.html", {"form": form, "page_title": "Créer un compte professionnel"}
    )


def verify_email(request, token: str):
    try:
        services.verify_email(token=token)
    except DomainError as exc:
        return render(
            request,
            "auth/verify_failed.html",
            {"message": exc.text, "page_title": "Lien invalide"},
            status=400,
        )
    messages.success(request, "Votre adresse e-mail est confirmée.")
    if request.user.is_authenticated:
        return redirect(home_url_for(request.user))
    return redirect("accounts:login")


@login_required
@require_POST
def resend_verification(request):
    if request.user.email_verified_at is None:
        services.send_verification_email(user=request.user)
    messages.info(request, f"Un nouveau lien de confirmation a été envoyé à {request.user.email}.")
    return redirect(home_url_for(request.user))


password_reset = auth_views.PasswordResetView.as_view(
    template_name="auth/password_reset.html",
    form_class=ResetRequestForm,
    success_url=reverse_lazy("accounts:password_reset_done"),
    extra_context={"page_title": "Mot de passe oublié"},
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="auth/password_reset_done.html", extra_context={"page_title": "E-mail envoyé"}
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="auth/password_reset_confirm.html", form_class=DsfrSetPasswordForm,
    success_url=reverse_lazy("accounts:password_reset_complete"),
    extra_context={"page_title": "Nouveau mot de passe"},
)  # fmt: skip
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="auth/password_reset_complete.html",
    extra_context={"page_title": "Mot de passe enregistré"},
)
