"""Pro "Intégrations" — the webhook log of the user's venues: filters, pages, manual replay.

Scoped like the other integration pages (views_integrations): another structure's delivery
is a 404.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from passculture.core.errors import DomainError
from passculture.core.scoping import get_scoped_or_404
from passculture.offerers.selectors import venues_for_user
from passculture.providers import webhooks
from passculture.providers.models import DeliveryStatus
from passculture.web.pro.access import pro_page
from passculture.web.pro.views_integrations import SECTION, ProRequest, deliveries_of

DELIVERIES_PER_PAGE = 25
# The log shows the partner-facing code and, for people who are not developers, its meaning.
EVENT_LABELS = {
    webhooks.BOOKING_CREATED: "Réservation créée",
    webhooks.BOOKING_CANCELLED: "Réservation annulée",
    webhooks.BOOKING_USED: "Contremarque validée",
    webhooks.BOOKING_UNUSED: "Validation annulée",
    webhooks.COLLECTIVE_BOOKING_CREATED: "Préréservation collective",
    webhooks.COLLECTIVE_BOOKING_PENDING: "Réservation collective en attente",
    webhooks.COLLECTIVE_BOOKING_CONFIRMED: "Réservation collective confirmée",
    webhooks.COLLECTIVE_BOOKING_CANCELLED: "Réservation collective annulée",
    webhooks.COLLECTIVE_BOOKING_USED: "Réservation collective effectuée",
    webhooks.COLLECTIVE_BOOKING_REIMBURSED: "Réservation collective remboursée",
    webhooks.STOCK_SOLD_OUT: "Date complète",
    webhooks.TEST_EVENT: "Événement de test",
}


@pro_page(SECTION)
def deliveries(request: ProRequest) -> HttpResponse:
    get = request.GET
    venue_param, status = get.get("lieu", ""), get.get("statut", "")
    venue_id = int(venue_param) if venue_param.isdigit() else None
    status = status if status in DeliveryStatus.values else ""
    base = deliveries_of(request.user)
    queryset = base
    if venue_id is not None:
        queryset = queryset.filter(link__venue_id=venue_id)
    if status:
        queryset = queryset.filter(status=status)
    page = Paginator(queryset.order_by("-occurred_at", "-id"), DELIVERIES_PER_PAGE).get_page(
        get.get("page")
    )
    query = get.copy()
    query.pop("page", None)
    return render(
        request,
        "pro/integrations/deliveries.html",
        {
            "page_title": "Journal des webhooks",
            "tab": "deliveries",
            "page": page,
            "rows": [{"d": d, "label": EVENT_LABELS.get(d.event_type, "")} for d in page],
            "query": query.urlencode(),
            "filters": {"venue_id": venue_id, "status": status},
            "venues": venues_for_user(request.user).order_by("name"),
            "statuses": DeliveryStatus.choices,
            "has_any": page.paginator.count > 0 or base.exists(),
            "back_query": get.urlencode(),
        },
    )


@pro_page(SECTION)
@require_POST
def delivery_replay(request: ProRequest, delivery_id: int) -> HttpResponse:
    delivery = get_scoped_or_404(deliveries_of(request.user), pk=delivery_id)
    try:
        copy = webhooks.replay_delivery(actor=request.user, delivery=delivery)
    except DomainError as exc:
        messages.error(request, exc.text)
    else:
        messages.success(
            request,
            f"L’événement {delivery.event_type} n° {delivery.sequence} est renvoyé "
            f"(nouvel envoi n° {copy.sequence}, même identifiant d’événement).",
        )
    # Back to the same filtered page: only the log's own parameters are carried over.
    back = QueryDict(request.POST.get("retour", ""), mutable=True)
    kept = QueryDict(mutable=True)
    for name in ("lieu", "statut", "page"):
        value = str(back.get(name, ""))
        if value.replace("_", "").isalnum():
            kept[name] = value
    url = reverse("pro:integration_deliveries")
    return redirect(f"{url}?{kept.urlencode()}" if kept else url)
