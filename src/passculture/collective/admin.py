"""Back office for the collective part: schools (directory upload), budgets, review, bookings.

Budgets and review decisions only change through the services (audited): their fields are
read-only here, and the actions and forms below call `set_budget`, `compute_budget` and
`review_collective_offer`.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse

from passculture.collective import rules
from passculture.collective.management.commands.import_schools import decode_directory_file
from passculture.collective.models import (
    BudgetRate,
    CollectiveBooking,
    CollectiveBookingStatus,
    CollectiveOffer,
    EacProject,
    Enrolment,
    School,
    SchoolBudget,
    SchoolMember,
)
from passculture.collective.services import offers as offer_services
from passculture.collective.services import schools as school_services
from passculture.collective.services.bookings import COMMITTED
from passculture.core import clock
from passculture.core.errors import DomainError
from passculture.core.money import euros_to_cents, format_cents
from passculture.offers.models import Validation

MAX_DIRECTORY_BYTES = 60 * 1024 * 1024  # the full national directory is about 40 MB
SPENT = [CollectiveBookingStatus.USED, CollectiveBookingStatus.REIMBURSED]
FORM_TEMPLATE = "admin/collective/form.html"


def _cents(value: str) -> int:
    try:
        cents = euros_to_cents(value)
    except DomainError as exc:
        raise forms.ValidationError(exc.text) from exc
    if cents < 0:
        raise forms.ValidationError("Le montant ne peut pas être négatif.")
    return cents


class DirectoryUploadForm(forms.Form):
    file = forms.FileField(label="Fichier CSV de l’annuaire (séparateur « ; » ou « , »)")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_DIRECTORY_BYTES:
            raise forms.ValidationError("Fichier trop volumineux (60 Mo au plus).")
        return upload


class BudgetAmountForm(forms.Form):
    amount = forms.CharField(label="Montant du budget (en euros, ex. 12 500,00)")
    provisional = forms.BooleanField(
        label="Provisoire (seuls 80 % sont utilisables)", required=False
    )

    def clean_amount(self) -> int:
        return _cents(self.cleaned_data["amount"])


class SetBudgetForm(BudgetAmountForm):
    uai = forms.CharField(label="UAI de l’établissement", max_length=8)
    year_code = forms.CharField(label="Année scolaire (ex. 2026-2027)", max_length=9)
    field_order = ["uai", "year_code", "amount", "provisional"]

    def clean_uai(self) -> School:
        uai = self.cleaned_data["uai"].strip().upper()
        school = School.objects.filter(uai=uai).first()
        if school is None:
            raise forms.ValidationError(f"Aucun établissement avec l’UAI « {uai} ».")
        return school

    def clean_year_code(self) -> str:
        code = self.cleaned_data["year_code"].strip()
        start = code[:4]
        if not (len(code) == 9 and start.isdigit() and code == f"{start}-{int(start) + 1}"):
            raise forms.ValidationError("Année scolaire au format 2026-2027.")
        return code


class SchoolForm(forms.ModelForm):
    class Meta:
        model = School
        fields = [
            "uai", "name", "school_type", "city", "postal_code", "department_code", "academy",
            "latitude", "longitude", "phone", "email",
        ]  # fmt: skip

    def clean_uai(self) -> str:
        uai = self.cleaned_data["uai"].strip().upper()
        if not rules.is_valid_uai(uai):
            raise forms.ValidationError(
                "Code UAI invalide : 7 chiffres suivis de la lettre de contrôle (ex. 0750654D)."
            )
        return uai


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    extra = 0


class SchoolMemberInline(admin.TabularInline):
    """Read-only: people are attached by UAI through the service (audited; SSO later)."""

    model = SchoolMember
    extra = 0
    fields = readonly_fields = ("user", "role")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    form = SchoolForm
    list_display = ["name", "uai", "school_type", "city", "department_code", "academy", "phone"]
    list_filter = ["academy", "department_code", "school_type"]
    search_fields = ["uai", "name", "city"]
    inlines = [EnrolmentInline, SchoolMemberInline]
    change_list_template = "admin/collective/school/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        custom = [
            path(
                "importer/",
                self.admin_site.admin_view(self.import_view),
                name="collective_school_import",
            )
        ]
        return custom + super().get_urls()

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload the directory CSV; schools are created or updated and a report is shown."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise DjangoPermissionDenied
        report = None
        if request.method == "POST":
            form = DirectoryUploadForm(request.POST, request.FILES)
            if form.is_valid():
                content = decode_directory_file(form.cleaned_data["file"].read())
                report = school_services.import_schools(actor=request.user, content=content)
                level = messages.WARNING if report.errors else messages.SUCCESS
                self.message_user(
                    request,
                    f"Import terminé : {report.created} établissement(s) créé(s), "
                    f"{report.updated} mis à jour, {len(report.errors)} ligne(s) en erreur.",
                    level,
                )
                form = DirectoryUploadForm()
        else:
            form = DirectoryUploadForm()
        return render(
            request,
            "admin/collective/school/import.html",
            {**self.admin_site.each_context(request), "form": form, "report": report,
             "opts": self.model._meta, "title": "Importer un fichier de l’annuaire"},
        )  # fmt: skip


def _bookings_total(statuses: list[CollectiveBookingStatus]) -> Coalesce:
    total = (
        CollectiveBooking.objects.filter(
            school=OuterRef("school"), year=OuterRef("year"), status__in=statuses
        )
        .order_by()
        .values("school")
        .annotate(total=Sum("price"))
        .values("total")[:1]
    )
    return Coalesce(Subquery(total), Value(0), output_field=IntegerField())


@admin.register(SchoolBudget)
class SchoolBudgetAdmin(admin.ModelAdmin):
    list_display = [
        "school", "year", "amount_display", "is_provisional", "is_manual", "spendable_display",
        "committed_display", "spent_display", "remaining_display",
    ]  # fmt: skip
    list_filter = ["year", "is_provisional", "is_manual", "school__academy"]
    search_fields = ["school__uai", "school__name"]
    list_select_related = ["school", "year"]
    fields = readonly_fields = (
        "school", "year", "amount_display", "is_provisional", "is_manual", "spendable_display",
        "committed_display", "spent_display", "remaining_display", "updated_at",
    )  # fmt: skip
    actions = ["set_selected", "recompute_selected"]
    change_list_template = "admin/collective/schoolbudget/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[SchoolBudget]:
        return (
            super()
            .get_queryset(request)
            .annotate(committed=_bookings_total(COMMITTED), spent=_bookings_total(SPENT))
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # through "Fixer un budget" (set_budget, audited)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="montant", ordering="amount")
    def amount_display(self, obj: SchoolBudget) -> str:
        return format_cents(obj.amount)

    @admin.display(description="utilisable")
    def spendable_display(self, obj: SchoolBudget) -> str:
        return format_cents(rules.spendable(obj.amount, provisional=obj.is_provisional))

    @admin.display(description="engagé (confirmé)")
    def committed_display(self, obj: Any) -> str:
        return format_cents(obj.committed)

    @admin.display(description="dépensé (terminé)")
    def spent_display(self, obj: Any) -> str:
        return format_cents(obj.spent)

    @admin.display(description="restant")
    def remaining_display(self, obj: Any) -> str:
        left = rules.remaining(
            amount=obj.amount, provisional=obj.is_provisional, committed=obj.committed
        )
        return format_cents(left)

    def get_urls(self) -> list[URLPattern]:
        custom = [
            path(
                "fixer/",
                self.admin_site.admin_view(self.set_view),
                name="collective_schoolbudget_set",
            )
        ]
        return custom + super().get_urls()

    def _set(self, request: HttpRequest, budget_school: School, year_code: str, form: Any) -> bool:
        try:
            school_services.set_budget(
                actor=request.user,  # type: ignore[arg-type]
                school=budget_school,
                year_code=year_code,
                amount=form.cleaned_data["amount"],
                provisional=form.cleaned_data["provisional"],
            )
        except DomainError as exc:
            self.message_user(request, exc.text, messages.ERROR)
            return False
        return True

    def set_view(self, request: HttpRequest) -> HttpResponse:
        """Staff sets (or corrects) the budget of a school for a year; audited."""
        if not self.has_change_permission(request):
            raise DjangoPermissionDenied
        if request.method == "POST":
            form = SetBudgetForm(request.POST)
            if form.is_valid() and self._set(
                request, form.cleaned_data["uai"], form.cleaned_data["year_code"], form
            ):
                self.message_user(request, "Budget enregistré.", messages.SUCCESS)
                return redirect(reverse("admin:collective_schoolbudget_changelist"))
        else:
            form = SetBudgetForm(initial={"year_code": rules.year_of(clock.now())})
        return render(
            request,
            FORM_TEMPLATE,
            {**self.admin_site.each_context(request), "form": form, "opts": self.model._meta,
             "title": "Fixer le budget d’un établissement", "submit": "Enregistrer"},
        )  # fmt: skip

    @admin.action(description="Corriger le montant des budgets sélectionnés")
    def set_selected(self, request: HttpRequest, queryset: QuerySet[SchoolBudget]) -> Any:
        budgets = list(queryset.select_related("school", "year"))
        if "apply" in request.POST:
            form = BudgetAmountForm(request.POST)
            if form.is_valid():
                done = sum(self._set(request, b.school, b.year.code, form) for b in budgets)
                self.message_user(request, f"{done} budget(s) corrigé(s).", messages.SUCCESS)
                return redirect(request.get_full_path())
        else:
            form = BudgetAmountForm()
        return render(
            request,
            FORM_TEMPLATE,
            {**self.admin_site.each_context(request), "form": form, "objects": budgets,
             "action": "set_selected", "opts": self.model._meta,
             "title": "Corriger des budgets", "submit": "Corriger"},
        )  # fmt: skip

    @admin.action(description="Recalculer depuis les effectifs (hors budgets fixés à la main)")
    def recompute_selected(self, request: HttpRequest, queryset: QuerySet[SchoolBudget]) -> None:
        done = 0
        for budget in queryset.select_related("school", "year").filter(is_manual=False):
            school_services.compute_budget(
                school=budget.school, year_code=budget.year.code, provisional=budget.is_provisional
            )
            done += 1
        self.message_user(request, f"{done} budget(s) recalculé(s).", messages.SUCCESS)


@admin.register(BudgetRate)
class BudgetRateAdmin(admin.ModelAdmin):
    list_display = ["level", "amount_display", "valid_from_year"]
    list_filter = ["valid_from_year", "level"]
    ordering = ["-valid_from_year", "level"]

    @admin.display(description="par élève", ordering="amount")
    def amount_display(self, obj: BudgetRate) -> str:
        return format_cents(obj.amount)


class RejectCollectiveOfferForm(forms.Form):
    reason = forms.CharField(label="Motif du refus (envoyé à la structure)", widget=forms.Textarea)


@admin.register(CollectiveOffer)
class CollectiveOfferAdmin(admin.ModelAdmin):
    list_display = [
        "name", "venue", "is_template", "target_school", "validation", "is_active", "created_at",
    ]  # fmt: skip
    list_filter = ["validation", "is_template", "is_active"]
    search_fields = ["name", "venue__name", "venue__offerer__name", "target_school__uai"]
    list_select_related = ["venue", "target_school"]
    raw_id_fields = ["venue", "address", "target_school", "template", "duplicated_from"]
    # The review decision only goes through the actions (audited).
    readonly_fields = ["validation", "rejection_reason", "archived_at"]
    actions = ["approve_selected", "reject_selected"]

    @admin.action(description="Valider et publier les offres collectives sélectionnées")
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[CollectiveOffer]) -> None:
        done = 0
        for offer in queryset.filter(validation=Validation.PENDING):
            offer_services.review_collective_offer(
                actor=request.user,  # type: ignore[arg-type]
                offer=offer,
                approve=True,
            )
            done += 1
        self.message_user(request, f"{done} offre(s) collective(s) validée(s).", messages.SUCCESS)

    @admin.action(description="Refuser les offres collectives sélectionnées (avec motif)")
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[CollectiveOffer]) -> Any:
        pending = queryset.filter(validation=Validation.PENDING)
        if "apply" in request.POST:
            form = RejectCollectiveOfferForm(request.POST)
            if form.is_valid():
                done = 0
                for offer in pending:
                    try:
                        offer_services.review_collective_offer(
                            actor=request.user,  # type: ignore[arg-type]
                            offer=offer,
                            approve=False,
                            reason=form.cleaned_data["reason"],
                        )
                        done += 1
                    except DomainError as exc:
                        self.message_user(request, exc.text, messages.ERROR)
                self.message_user(request, f"{done} offre(s) collective(s) refusée(s).")
                return redirect(request.get_full_path())
        else:
            form = RejectCollectiveOfferForm()
        return render(
            request,
            FORM_TEMPLATE,
            {**self.admin_site.each_context(request), "form": form, "objects": pending,
             "action": "reject_selected", "opts": self.model._meta,
             "title": "Refuser des offres collectives", "submit": "Refuser"},
        )  # fmt: skip


@admin.register(CollectiveBooking)
class CollectiveBookingAdmin(admin.ModelAdmin):
    """Read-only: bookings change through the flow (teacher, head, venue, jobs)."""

    list_display = [
        "pk", "offer", "school", "teacher", "status", "price_display", "start",
        "confirmation_limit", "created_at",
    ]  # fmt: skip
    list_filter = ["status", "year", "school__academy", "cancellation_reason"]
    search_fields = ["school__uai", "school__name", "offer__name", "teacher__email"]
    list_select_related = ["offer", "school", "teacher", "stock"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="prix", ordering="price")
    def price_display(self, obj: CollectiveBooking) -> str:
        return format_cents(obj.price)

    @admin.display(description="début", ordering="stock__start_datetime")
    def start(self, obj: CollectiveBooking) -> Any:
        return obj.stock.start_datetime


@admin.register(EacProject)
class EacProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "created_by", "created_at"]
    search_fields = ["name", "school__uai", "school__name"]
    list_select_related = ["school", "created_by"]
    raw_id_fields = ["school", "created_by"]
