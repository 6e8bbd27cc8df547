"""Back office for bookings: find one by its token, read it, cancel it (fraud, back office).

Every field is read-only: a booking changes only through the booking services, so each change
is locked, audited and gives the seats and the credit back.
"""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template import engines

from passculture.bookings import services
from passculture.bookings.models import Booking, BookingStatus, CancellationReason
from passculture.core.errors import DomainError
from passculture.core.money import format_cents


class StaffCancelForm(forms.Form):
    comment = forms.CharField(
        label="Précision (gardée au journal d’audit, envoyée au jeune)",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# Inline so this app needs no template folder of its own; it extends the admin's base page.
CONFIRM_TEMPLATE = """{% extends "admin/base_site.html" %}
{% block content %}
<h1>{{ title }}</h1>
<p>Les places reviennent à l’offre et le crédit au jeune, qui est prévenu par e-mail.</p>
<ul>{% for b in objects %}
  <li>{{ b.token }} — {{ b.offer.name }} — {{ b.user.full_name }}</li>
{% endfor %}</ul>
<form method="post">{% csrf_token %}
  {{ form.as_p }}
  {% for b in objects %}<input type="hidden" name="_selected_action" value="{{ b.pk }}">{% endfor %}
  <input type="hidden" name="action" value="{{ action }}">
  <input type="hidden" name="apply" value="1">
  <input type="submit" value="Confirmer l’annulation">
</form>
{% endblock %}"""


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = [
        "token",
        "offer",
        "user",
        "quantity",
        "total_display",
        "status",
        "cancellation_reason",
        "created_at",
    ]
    list_filter = ["status", "cancellation_reason", "validation_author", "created_at"]
    # "=token": an exact, case-insensitive match on the 6 characters a young person reads out.
    search_fields = ["=token", "user__email", "user__last_name", "offer__name"]
    list_select_related = ["offer", "user"]
    date_hierarchy = "created_at"
    actions = ["cancel_fraud", "cancel_backoffice"]

    @admin.display(description="montant")
    def total_display(self, obj: Booking) -> str:
        return format_cents(obj.total)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _cancel(self, request, queryset, *, reason: str, title: str, action: str):
        live = queryset.exclude(
            status__in=[BookingStatus.CANCELLED, BookingStatus.REIMBURSED]
        ).select_related("offer", "user")
        form = StaffCancelForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            done = 0
            for booking in live:
                try:
                    services.cancel_by_staff(
                        actor=request.user,
                        booking_id=booking.pk,
                        reason=reason,
                        comment=form.cleaned_data["comment"],
                    )
                    done += 1
                except DomainError as exc:
                    self.message_user(request, f"{booking.token} : {exc.text}", messages.ERROR)
            self.message_user(request, f"{done} réservation(s) annulée(s).", messages.SUCCESS)
            return redirect(request.get_full_path())
        template = engines["django"].from_string(CONFIRM_TEMPLATE)
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "objects": live,
            "form": form,
            "action": action,
            "opts": self.model._meta,
        }
        return HttpResponse(template.render(context, request))

    @admin.action(description="Annuler (fraude)", permissions=["change"])
    def cancel_fraud(self, request, queryset):
        return self._cancel(
            request,
            queryset,
            reason=CancellationReason.FRAUD,
            title="Annuler pour fraude",
            action="cancel_fraud",
        )

    @admin.action(description="Annuler (back-office)", permissions=["change"])
    def cancel_backoffice(self, request, queryset):
        return self._cancel(
            request,
            queryset,
            reason=CancellationReason.BACKOFFICE,
            title="Annuler depuis le back-office",
            action="cancel_backoffice",
        )
