"""Back office for offers: the review queue (approve / reject with a reason) and review rules."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render

from passculture.core.errors import DomainError
from passculture.offers import services
from passculture.offers.models import Offer, ReviewRule, Validation


class RejectOfferForm(forms.Form):
    reason = forms.CharField(label="Motif du refus (envoyé à la structure)", widget=forms.Textarea)


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["name", "venue", "subcategory_id", "validation", "is_active", "created_at"]
    list_filter = ["validation", "is_active", "subcategory_id"]
    search_fields = ["name", "venue__name", "venue__offerer__name", "venue__offerer__siren"]
    list_select_related = ["venue"]
    raw_id_fields = ["venue", "address", "duplicated_from"]
    # The review decision only goes through the actions (audited, e-mailed).
    readonly_fields = ["validation", "rejection_reason", "publication_datetime", "archived_at"]
    actions = ["approve_selected", "reject_selected"]

    @admin.action(description="Valider et publier les offres sélectionnées")
    def approve_selected(self, request, queryset):
        done = 0
        for offer in queryset.filter(validation=Validation.PENDING):
            services.approve_offer(actor=request.user, offer=offer)
            done += 1
        self.message_user(request, f"{done} offre(s) validée(s).", messages.SUCCESS)

    @admin.action(description="Refuser les offres sélectionnées (avec motif)")
    def reject_selected(self, request, queryset):
        targets = queryset.filter(validation__in=[Validation.PENDING, Validation.APPROVED])
        if "apply" in request.POST:
            form = RejectOfferForm(request.POST)
            if form.is_valid():
                done = 0
                for offer in targets:
                    try:
                        services.reject_offer(
                            actor=request.user, offer=offer, reason=form.cleaned_data["reason"]
                        )
                        done += 1
                    except DomainError as exc:
                        self.message_user(request, exc.text, messages.ERROR)
                self.message_user(request, f"{done} offre(s) refusée(s).")
                return redirect(request.get_full_path())
        else:
            form = RejectOfferForm()
        return render(
            request,
            "admin/offerers/reject.html",
            {**self.admin_site.each_context(request), "form": form, "objects": targets,
             "action": "reject_selected", "opts": self.model._meta, "title": "Refuser des offres"},
        )  # fmt: skip


@admin.register(ReviewRule)
class ReviewRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "price_above", "offerer", "venue"]
    list_filter = ["is_active"]
    raw_id_fields = ["offerer", "venue"]
