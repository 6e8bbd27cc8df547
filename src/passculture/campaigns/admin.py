"""Back office: staff create campaigns, preview their audience and schedule them."""

import copy
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms.models import construct_instance
from django.http import HttpRequest

from passculture.campaigns import services
from passculture.campaigns.models import Campaign, CampaignStatus
from passculture.core.errors import DomainError
from passculture.stats.rules import format_rate


class CampaignForm(forms.ModelForm):
    departments = forms.CharField(
        label="Départements",
        required=False,
        help_text="Codes séparés par des virgules (ex. 69, 2A, 974), ou bien un point et un rayon.",
    )

    class Meta:
        model = Campaign
        fields = [
            "name", "title", "offer", "departments", "latitude", "longitude", "radius_km",
            "age_min", "age_max", "scheduled_at",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["departments"] = ", ".join(self.instance.departments)

    def clean_departments(self) -> list[str]:
        raw = self.cleaned_data.get("departments") or ""
        return [code.strip().upper() for code in raw.replace(";", ",").split(",") if code.strip()]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            try:
                # clean() runs before the instance is filled: check a filled copy.
                services.check_campaign(construct_instance(self, copy.copy(self.instance)))
            except DomainError as error:
                raise forms.ValidationError(error.text) from error
        return cleaned


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    form = CampaignForm
    list_display = [
        "name", "offer", "status", "scheduled_at", "audience_count", "sent_count",
        "opened_count", "open_rate", "clicked_count", "click_rate",
    ]  # fmt: skip
    list_filter = ["status"]
    raw_id_fields = ["offer"]
    readonly_fields = [
        "status", "audience_count", "sent_count", "opened_count", "open_rate", "clicked_count",
        "click_rate", "created_by",
    ]  # fmt: skip
    actions = ["preview_audience", "schedule"]

    @admin.display(description="taux d’ouverture")
    def open_rate(self, obj: Campaign) -> str:
        """Opened / sent: an open is the e-mail's pixel, a read notice in-app, or a click."""
        return format_rate(obj.opened_count / obj.sent_count if obj.sent_count else None)

    @admin.display(description="taux de clic")
    def click_rate(self, obj: Campaign) -> str:
        return format_rate(obj.clicked_count / obj.sent_count if obj.sent_count else None)

    def has_change_permission(self, request: HttpRequest, obj: Campaign | None = None) -> bool:
        if obj is not None and obj.status not in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Campaign, form: Any, change: bool) -> None:
        services.save_campaign(actor=request.user, campaign=obj)  # type: ignore[arg-type]

    @admin.action(description="Prévisualiser l’audience")
    def preview_audience(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        for campaign in queryset.order_by("pk"):
            count = services.preview_audience(campaign_id=campaign.pk)
            self.message_user(
                request, f"« {campaign.name} » : {count} jeune(s) seraient touché(s) aujourd’hui."
            )

    @admin.action(description="Programmer")
    def schedule(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        for campaign in queryset.order_by("pk"):
            try:
                done = services.schedule_campaign(actor=request.user, campaign_id=campaign.pk)  # type: ignore[arg-type]
            except DomainError as error:
                self.message_user(request, f"« {campaign.name} » : {error.text}", messages.ERROR)
            else:
                when = done.scheduled_at
                self.message_user(
                    request,
                    f"« {campaign.name} » programmée"
                    + (f" le {when.astimezone(services.PARIS):%d/%m/%Y à %H:%M}." if when else "."),
                )
