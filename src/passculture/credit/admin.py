"""Back office for young people's credit: identity reviews, grant rules, deposits.

Decisions and adjustments go through the credit services (audited, e-mailed); the
forms here only collect the staff member's input.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Case, Value, When
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from passculture.accounts.identity import PROVIDERS
from passculture.accounts.models import IdentityCheck, IdentityStatus
from passculture.core import clock
from passculture.core.audit import record_audit, snapshot
from passculture.core.errors import DomainError
from passculture.core.money import InvalidAmount, euros_to_cents, format_cents
from passculture.credit import rules, services
from passculture.credit.models import CreditEntry, Deposit, GrantRule

DECLARED_LABELS = {
    "first_name": ("Prénom", "first_name"),
    "last_name": ("Nom", "last_name"),
    "birth_date": ("Date de naissance", "birth_date"),
    "document_number": ("N° de pièce d’identité", None),
}


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label="Motif du refus (envoyé au jeune)",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Indiquez le motif du refus."},
    )


class AdjustForm(forms.Form):
    amount = forms.CharField(
        label="Montant en euros (négatif pour retirer)",
        max_length=20,
        help_text="Par exemple 20 ou -10,50.",
        error_messages={"required": "Indiquez le montant de l’ajustement."},
    )
    comment = forms.CharField(
        label="Motif (obligatoire, conservé au journal d’audit)",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Indiquez le motif de l’ajustement."},
    )

    def clean_amount(self) -> int:
        try:
            cents = euros_to_cents(self.cleaned_data["amount"])
        except InvalidAmount as exc:
            raise forms.ValidationError(exc.text) from exc
        if cents == 0:
            raise forms.ValidationError("Un ajustement de 0 € ne change rien.")
        if abs(cents) > 100_000:
            raise forms.ValidationError("Un ajustement ne peut pas dépasser 1 000 €.")
        return cents


# --- identity checks ----------------------------------------------------------------------------


@admin.register(IdentityCheck)
class IdentityCheckAdmin(admin.ModelAdmin):
    list_display = ["user", "provider_label", "status", "created_at", "reviewed_at", "reviewed_by"]
    list_filter = ["status", "provider"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    list_select_related = ["user", "reviewed_by"]
    # Pending checks first (the reviewer's queue), oldest request first among them.
    ordering = [
        Case(When(status=IdentityStatus.PENDING, then=Value(0)), default=Value(1)),
        "created_at",
    ]
    fields = readonly_fields = (
        "user",
        "provider_label",
        "status",
        "declared_vs_account",
        "grant_preview",
        "created_at",
        "reviewed_by",
        "reviewed_at",
        "refusal_reason",
    )
    actions = ["approve_selected", "refuse_selected"]
    change_form_template = "admin/credit/identitycheck_change_form.html"

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # the record is evidence: only the decision buttons change it

    def has_decide_permission(self, request) -> bool:
        return request.user.is_staff and request.user.has_perm("accounts.change_identitycheck")

    @admin.display(description="fournisseur")
    def provider_label(self, check: IdentityCheck) -> str:
        return PROVIDERS.get(check.provider, check.provider)

    @admin.display(description="déclaré / compte")
    def declared_vs_account(self, check: IdentityCheck) -> str:
        user = check.user
        rows = []
        for key, (label, attr) in DECLARED_LABELS.items():
            declared = str(check.declared.get(key, "") or "—")
            account = "" if attr is None else str(getattr(user, attr) or "—")
            differs = attr is not None and declared.casefold() != account.casefold()
            rows.append((label, declared, account, "⚠ différent" if differs else ""))
        others = [(k, str(v)) for k, v in check.declared.items() if k not in DECLARED_LABELS]
        rows.extend((key, value, "", "") for key, value in others)
        body = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td><td><strong>{}</strong></td></tr>",
            rows,
        )
        return format_html(
            "<table><thead><tr><th></th><th>Déclaré</th><th>Compte</th><th></th></tr></thead>"
            "<tbody>{}</tbody></table><p>Résidence : {} {} (département {})</p>",
            body,
            user.postal_code or "—",
            user.city,
            user.department_code or "—",
        )

    @admin.display(description="crédit si validée aujourd’hui")
    def grant_preview(self, check: IdentityCheck) -> str:
        birth_date = check.user.birth_date
        if birth_date is None:
            return "Date de naissance inconnue : aucun crédit possible."
        today = clock.today_paris()
        age = rules.age_on(birth_date, today)
        all_grants = services.grants()
        grant = rules.grant_for(all_grants, age=age, day=today)
        if grant is None:
            return f"{age} ans : aucun crédit selon les règles en vigueur (la validation échouera)."
        reached = rules.grant_for(all_grants, age=age, day=rules.birthday(birth_date, age))
        grant = reached or grant
        return f"{age} ans : {format_cents(grant.amount)} (règles {grant.rule_set})."

    def _decide(self, request, checks, *, approve: bool, reason: str = "") -> int:
        done = 0
        for check in checks:
            try:
                services.decide_identity_check(
                    actor=request.user, check_id=check.pk, approve=approve, reason=reason
                )
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{check.user} : {exc.text}", messages.ERROR)
        return done

    @admin.action(description="Valider l’identité", permissions=["decide"])
    def approve_selected(self, request, queryset):
        done = self._decide(request, queryset.filter(status=IdentityStatus.PENDING), approve=True)
        self.message_user(
            request, f"{done} identité(s) validée(s) : le crédit a été attribué.", messages.SUCCESS
        )

    @admin.action(description="Refuser (avec motif)", permissions=["decide"])
    def refuse_selected(self, request, queryset):
        pending = queryset.filter(status=IdentityStatus.PENDING).select_related("user")
        if "apply" in request.POST:
            form = RefuseForm(request.POST)
            if form.is_valid():
                done = self._decide(
                    request, list(pending), approve=False, reason=form.cleaned_data["reason"]
                )
                self.message_user(request, f"{done} vérification(s) refusée(s).")
                return redirect(request.get_full_path())
        else:
            form = RefuseForm()
        return render(
            request,
            "admin/offerers/reject.html",
            {**self.admin_site.each_context(request), "form": form, "objects": pending,
             "action": "refuse_selected", "opts": self.model._meta,
             "title": "Refuser des vérifications d’identité"},
        )  # fmt: skip

    def get_urls(self):
        urls = [
            path(
                "<int:check_id>/decider/",
                self.admin_site.admin_view(self.decide_view),
                name="credit_identitycheck_decide",
            )
        ]
        return urls + super().get_urls()

    def decide_view(self, request, check_id: int):
        """The change page's two buttons: validate, or refuse with the reason typed beside."""
        if request.method != "POST" or not self.has_decide_permission(request):
            raise Http404("Page introuvable.")
        check = IdentityCheck.objects.filter(pk=check_id).first()
        if check is None:
            raise Http404("Vérification introuvable.")
        page = reverse("admin:accounts_identitycheck_change", args=[check.pk])
        approve = "approve" in request.POST
        form = RefuseForm(request.POST)
        if not approve and not form.is_valid():
            self.message_user(request, "Indiquez le motif du refus.", messages.ERROR)
            return HttpResponseRedirect(page)
        reason = "" if approve else form.cleaned_data["reason"]
        if self._decide(request, [check], approve=approve, reason=reason):
            self.message_user(
                request,
                f"Identité de {check.user.full_name} validée : le crédit a été attribué."
                if approve
                else f"Vérification de {check.user.full_name} refusée.",
                messages.SUCCESS,
            )
        return HttpResponseRedirect(page)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {
            **(extra_context or {}),
            "decide_url": reverse("admin:credit_identitycheck_decide", args=[object_id])
            if str(object_id).isdigit()
            else "",
            "can_decide": self.has_decide_permission(request),
            "refuse_form": RefuseForm(),
        }
        return super().change_view(request, object_id, form_url, extra_context=extra)


# --- grant rules (data: a reform is new rows) -------------------------------------------------


GRANT_FIELDS = [
    "rule_set",
    "valid_from",
    "valid_until",
    "age",
    "amount",
    "deposit_kind",
    "expires_at_age",
    "validity_months",
    "digital_cap",
]


@admin.register(GrantRule)
class GrantRuleAdmin(admin.ModelAdmin):
    list_display = ["rule_set", "age", "amount_euros", "deposit_kind", "valid_from", "valid_until"]
    list_filter = ["rule_set", "deposit_kind", "age"]
    ordering = ["valid_from", "age"]

    @admin.display(description="montant", ordering="amount")
    def amount_euros(self, rule: GrantRule) -> str:
        return format_cents(rule.amount)

    def save_model(self, request, obj, form, change):
        before = (
            snapshot(GrantRule.objects.get(pk=obj.pk), GRANT_FIELDS) if change and obj.pk else {}
        )
        super().save_model(request, obj, form, change)
        record_audit(
            actor=request.user,
            action="grant_rule.changed" if change else "grant_rule.created",
            obj=obj,
            before=before,
            after=snapshot(obj, GRANT_FIELDS),
        )

    def delete_model(self, request, obj):
        record_audit(
            actor=request.user,
            action="grant_rule.deleted",
            obj=obj,
            before=snapshot(obj, GRANT_FIELDS),
        )
        super().delete_model(request, obj)


# --- deposits (read-only; staff adjusts through the service) ---------------------------------


class CreditEntryInline(admin.TabularInline):
    model = CreditEntry
    extra = 0
    can_delete = False
    fields = readonly_fields = ("created_at", "reason", "amount_euros", "age", "comment", "actor")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="montant")
    def amount_euros(self, entry: CreditEntry) -> str:
        return format_cents(entry.amount)


@admin.register(Deposit)
class DepositAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "rule_set", "amount_euros", "expires_at", "created_at"]
    list_filter = ["kind", "rule_set"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    list_select_related = ["user"]
    fields = readonly_fields = (
        "user",
        "kind",
        "rule_set",
        "amount_euros",
        "spent_euros",
        "digital_cap_euros",
        "expires_at",
        "created_at",
    )
    inlines = [CreditEntryInline]
    change_form_template = "admin/credit/deposit_change_form.html"

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # amounts move only through adjust_credit (audited)

    def can_adjust(self, request) -> bool:
        return request.user.is_staff and request.user.has_perm("credit.change_deposit")

    @admin.display(description="crédité", ordering="amount")
    def amount_euros(self, deposit: Deposit) -> str:
        return format_cents(deposit.amount)

    @admin.display(description="réservé (en cours et utilisé)")
    def spent_euros(self, deposit: Deposit) -> str:
        from passculture.bookings.selectors import spent_on

        spent = spent_on(deposit)
        left = rules.balance(credited=deposit.amount, spent=spent)
        return f"{format_cents(spent)} — reste {format_cents(left)}"

    @admin.display(description="plafond numérique")
    def digital_cap_euros(self, deposit: Deposit) -> str:
        return "—" if deposit.digital_cap is None else format_cents(deposit.digital_cap)

    def get_urls(self):
        urls = [
            path(
                "<int:deposit_id>/ajuster/",
                self.admin_site.admin_view(self.adjust_view),
                name="credit_deposit_adjust",
            )
        ]
        return urls + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {**(extra_context or {}), "can_adjust": self.can_adjust(request)}
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def adjust_view(self, request, deposit_id: int):
        if not self.can_adjust(request):
            raise Http404("Page introuvable.")
        deposit = Deposit.objects.select_related("user").filter(pk=deposit_id).first()
        if deposit is None:
            raise Http404("Crédit introuvable.")
        form = AdjustForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.adjust_credit(
                    actor=request.user,
                    deposit=deposit,
                    amount=form.cleaned_data["amount"],
                    comment=form.cleaned_data["comment"],
                )
            except DomainError as exc:
                form.add_error(None, exc.text)
            else:
                self.message_user(
                    request,
                    f"Crédit ajusté de {format_cents(form.cleaned_data['amount'])}.",
                    messages.SUCCESS,
                )
                return redirect("admin:credit_deposit_change", deposit.pk)
        return render(
            request,
            "admin/credit/adjust.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "deposit": deposit,
                "credited": format_cents(deposit.amount),
                "opts": self.model._meta,
                "title": f"Ajuster le crédit de {deposit.user.full_name}",
            },
        )
