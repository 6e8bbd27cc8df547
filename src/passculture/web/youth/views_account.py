"""Youth sign-up, identity check and account pages."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from passculture.accounts import services as account_services
from passculture.accounts import youth_services
from passculture.accounts.identity import PROVIDERS
from passculture.accounts.models import IdentityStatus, Role
from passculture.core.errors import DomainError
from passculture.credit import services as credit_services
from passculture.offerers.rules import department_name
from passculture.web.youth import display
from passculture.web.youth.access import youth_page
from passculture.web.youth.forms import IdentityForm, MarketingForm, ResidenceForm, YouthSignupForm


def signup(request):
    if request.user.is_authenticated:
        return redirect("youth:home" if request.user.role == Role.BENEFICIARY else "pro:home")
    form = YouthSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = account_services.register_youth(
                email=data["email"], password=data["password1"], first_name=data["first_name"],
                last_name=data["last_name"], birth_date=data["birth_date"],
                postal_code=data["postal_code"], city=data["city"],
            )  # fmt: skip
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                "Votre compte est créé. Dernière étape : faites vérifier votre identité pour "
                "activer votre crédit.",
            )
            return redirect("youth:identity")
    return render(
        request,
        "youth/signup.html",
        {"form": form, "page_title": "Créer mon compte jeune"},
        status=400 if form.is_bound and form.errors else 200,
    )


@youth_page
def identity(request):
    user = request.user
    latest = youth_services.latest_identity_check(user)
    validated = user.identity_validated_at is not None
    pending = latest is not None and latest.status == IdentityStatus.PENDING
    form = None
    if not validated and not pending:
        initial = {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "birth_date": user.birth_date,
        }
        form = IdentityForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                check = credit_services.request_identity_check(
                    user=user, provider=form.cleaned_data["provider"], declared=form.declared()
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                if check.status == IdentityStatus.VALIDATED:
                    messages.success(
                        request, "Votre identité est vérifiée : votre crédit est disponible."
                    )
                    return redirect("youth:home")
                messages.success(
                    request,
                    "Votre demande est envoyée. Nous vous écrirons dès que votre identité "
                    "sera vérifiée.",
                )
                return redirect("youth:identity")
    elif request.method == "POST":
        return redirect("youth:identity")
    return render(
        request,
        "youth/identity.html",
        {
            "page_title": "Vérifier mon identité",
            "form": form,
            "latest": latest,
            "validated": validated,
            "pending": pending,
            "provider_label": PROVIDERS.get(latest.provider, latest.provider) if latest else "",
            "requested_on": display.long_datetime(latest.created_at) if latest else "",
        },
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )


def _account(request, *, residence=None, marketing=None, status=200):
    user = request.user
    residence = residence or ResidenceForm(
        initial={"postal_code": user.postal_code, "city": user.city}
    )
    marketing = marketing or MarketingForm(initial={"marketing_opt_in": user.marketing_opt_in})
    return render(
        request,
        "youth/account.html",
        {
            "page_title": "Mon compte",
            "residence_form": residence,
            "marketing_form": marketing,
            "birth_date": display.long_date(user.birth_date) if user.birth_date else "",
            "department": department_name(user.department_code) if user.department_code else "",
            "identity": youth_services.latest_identity_check(user),
        },
        status=status,
    )


@youth_page
def account(request):
    return _account(request)


@youth_page
@require_POST
def residence(request):
    form = ResidenceForm(request.POST)
    if form.is_valid():
        try:
            youth_services.update_residence(
                user=request.user,
                postal_code=form.cleaned_data["postal_code"],
                city=form.cleaned_data["city"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, "Votre lieu de résidence est enregistré.")
            return redirect("youth:account")
    return _account(request, residence=form, status=400)


@youth_page
@require_POST
def marketing(request):
    form = MarketingForm(request.POST)
    form.is_valid()  # a checkbox: absent means "no", nothing else to validate
    opt_in = bool(form.cleaned_data.get("marketing_opt_in"))
    youth_services.set_marketing_opt_in(user=request.user, opt_in=opt_in)
    messages.success(
        request,
        "Vous recevrez des suggestions d’offres."
        if opt_in
        else "Vous ne recevrez plus de suggestions d’offres.",
    )
    return redirect("youth:account")
