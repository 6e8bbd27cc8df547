"""Back office for structures: staff validates structures and join requests here."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render

from passculture.core.errors import DomainError
from passculture.offerers import services
from passculture.offerers.models import Membership, Offerer, ValidationStatus, Venue


class RejectForm(forms.Form):
    reason = forms.CharField(label="Motif du refus (envoyé à la structure)", widget=forms.Textarea)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = readonly_fields = ("user", "status", "validated_at")
    can_delete = False


class VenueInline(admin.TabularInline):
    model = Venue
    extra = 0
    fields = readonly_fields = ("name", "siret", "venue_type", "postal_code", "city")
    can_delete = False
    show_change_link = True


@admin.register(Offerer)
class OffererAdmin(admin.ModelAdmin):
    list_display = ["name", "siren", "city", "department_code", "validation_status", "created_at"]
    list_filter = ["validation_status", "department_code", "is_trusted"]
    search_fields = ["name", "siren", "city"]
    # Status changes only through the actions, so they are audited and e-mailed.
    readonly_fields = ["validation_status", "validated_at", "rejection_reason", "siren"]
    inlines = [MembershipInline, VenueInline]
    actions = ["validate_selected", "reject_selected"]

    @admin.action(description="Valider les structures sélectionnées")
    def validate_selected(self, request, queryset):
        done = 0
        for offerer in queryset.filter(validation_status=ValidationStatus.PENDING):
            services.validate_offerer(actor=request.user, offerer=offerer)
            done += 1
        self.message_user(request, f"{done} structure(s) validée(s).", messages.SUCCESS)

    @admin.action(description="Refuser les structures sélectionnées (avec motif)")
    def reject_selected(self, request, queryset):
        pending = queryset.filter(validation_status=ValidationStatus.PENDING)
        if "apply" in request.POST:
            form = RejectForm(request.POST)
            if form.is_valid():
                for offerer in pending:
                    services.reject_offerer(
                        actor=request.user, offerer=offerer, reason=form.cleaned_data["reason"]
                    )
                self.message_user(request, f"{pending.count()} structure(s) refusée(s).")
                return redirect(request.get_full_path())
        else:
            form = RejectForm()
        return render(
            request,
            "admin/offerers/reject.html",
            {**self.admin_site.each_context(request), "form": form, "objects": pending,
             "action": "reject_selected", "opts": self.model._meta},
        )  # fmt: skip


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "offerer", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["user__email", "offerer__name", "offerer__siren"]
    readonly_fields = ["status", "validated_at"]
    autocomplete_fields = ["user", "offerer"]
    actions = ["validate_selected", "reject_selected"]

    def _decide(self, request, queryset, approve: bool) -> None:
        done = 0
        for membership in queryset.filter(status=ValidationStatus.PENDING):
            try:
                services.decide_membership(
                    actor=request.user, membership=membership, approve=approve
                )
                done += 1
            except DomainError as exc:
                self.message_user(request, exc.text, messages.ERROR)
        self.message_user(request, f"{done} rattachement(s) traité(s).", messages.SUCCESS)

    @admin.action(description="Valider les rattachements sélectionnés")
    def validate_selected(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description="Refuser les rattachements sélectionnés")
    def reject_selected(self, request, queryset):
        self._decide(request, queryset, approve=False)


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "offerer", "siret", "venue_type", "city", "department_code"]
    list_filter = ["venue_type", "is_virtual", "department_code"]
    search_fields = ["name", "public_name", "siret", "offerer__name"]
    list_select_related = ["offerer"]
    raw_id_fields = ["offerer"]
