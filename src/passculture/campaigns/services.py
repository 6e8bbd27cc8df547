"""Campaign writes: check and save, schedule, send due campaigns in batches, track opens
and clicks."""

import datetime as dt
import uuid
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Count, F, Q
from django.urls import Resolver404, resolve, reverse

from passculture.accounts.models import User
from passculture.campaigns import errors as e
from passculture.campaigns import rules, selectors
from passculture.campaigns.models import Campaign, CampaignDelivery, CampaignStatus
from passculture.core import clock
from passculture.core.audit import record_audit
from passculture.notifications.services import notify
from passculture.offers.models import Offer
from passculture.stats import communes

PARIS = ZoneInfo("Europe/Paris")
BATCH = 500
CLICK_SALT = "passculture.campaigns.click"
OPEN_SALT = "passculture.campaigns.open"  # distinct: an open token is not a click token


def check_campaign(campaign: Campaign, *, now: dt.datetime | None = None) -> None:
    """Raise the first rule the campaign breaks (area, ages, offer with ≥ 50 seats)."""
    now = now or clock.now()
    has_point = campaign.latitude is not None or campaign.longitude is not None
    has_radius = campaign.radius_km is not None
    if campaign.departments:
        if has_point or has_radius:
            raise e.BadArea()
        for code in campaign.departments:
            if communes.department_centre(str(code)) is None:
                raise e.UnknownDepartment(code=code)
    elif not (
        campaign.latitude is not None
        and campaign.longitude is not None
        and campaign.radius_km
        and -90 <= campaign.latitude <= 90
        and -180 <= campaign.longitude <= 180
    ):
        raise e.BadArea()
    if not rules.AGE_MIN <= campaign.age_min <= campaign.age_max <= rules.AGE_MAX:
        raise e.BadAgeRange()
    if not Offer.objects.filter(pk=campaign.offer_id).exists():
        raise e.CollectiveOfferRefused()
    remaining = selectors.remaining_seats(offer_id=campaign.offer_id, now=now)
    if remaining is not None and remaining < rules.MIN_REMAINING_SEATS:
        raise e.NotEnoughSeats(minimum=rules.MIN_REMAINING_SEATS, remaining=remaining)


@transaction.atomic
def save_campaign(*, actor: User, campaign: Campaign) -> Campaign:
    """Create or edit a draft/scheduled campaign after checking it; nothing saved if refused."""
    if campaign.pk:
        current = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if current.status not in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED):
            raise e.NotEditable()
    campaign.departments = sorted({str(c).strip().upper() for c in campaign.departments if c})
    check_campaign(campaign)
    created = campaign.pk is None
    if created:
        campaign.created_by = actor
    campaign.save()
    record_audit(
        actor=actor,
        action="campaign.created" if created else "campaign.updated",
        obj=campaign,
        data={"offer": campaign.offer_id, "departments": campaign.departments},
    )
    return campaign


def preview_audience(*, campaign_id: int) -> int:
    """How many young people the campaign would reach now."""
    campaign = Campaign.objects.get(pk=campaign_id)
    return len(selectors.audience_ids(campaign, now=clock.now()))


@transaction.atomic
def schedule_campaign(*, actor: User, campaign_id: int, at: dt.datetime | None = None) -> Campaign:
    """A draft campaign is scheduled for `at` (or its scheduled_at, or now)."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.status != CampaignStatus.DRAFT:
        raise e.NotEditable()
    check_campaign(campaign)
    campaign.scheduled_at = at or campaign.scheduled_at or clock.now()
    campaign.status = CampaignStatus.SCHEDULED
    campaign.save(update_fields=["scheduled_at", "status"])
    record_audit(
        actor=actor,
        action="campaign.scheduled",
        obj=campaign,
        before={"status": "draft"},
        after={"status": "scheduled"},
        data={"scheduled_at": campaign.scheduled_at.isoformat()},
    )
    return campaign


def click_token(delivery_id: int) -> str:
    """A signed, stable token for a delivery (the same link in e-mail and in-app)."""
    return signing.Signer(salt=CLICK_SALT).sign_object(delivery_id)


def click_url(delivery_id: int) -> str:
    return settings.SITE_URL + reverse("campaigns:click", args=[click_token(delivery_id)])


def open_token(delivery_id: int) -> str:
    """The signed token of a delivery's open pixel in the HTML e-mail."""
    return signing.Signer(salt=OPEN_SALT).sign_object(delivery_id)


def open_url(delivery_id: int) -> str:
    return settings.SITE_URL + reverse("campaigns:open", args=[open_token(delivery_id)])


def send_due_campaigns(*, now: dt.datetime | None = None) -> int:
    """Send every scheduled campaign whose time has come (and finish interrupted ones)."""
    now = now or clock.now()
    due = Campaign.objects.filter(
        Q(status=CampaignStatus.SCHEDULED, scheduled_at__lte=now) | Q(status=CampaignStatus.SENDING)
    ).order_by("pk")
    sent = 0
    for campaign_id in due.values_list("pk", flat=True):
        sent += _send_campaign(campaign_id, now=now)
    return sent


def _send_campaign(campaign_id: int, *, now: dt.datetime) -> int:
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().select_related("offer").get(pk=campaign_id)
        if campaign.status == CampaignStatus.SENT:
            return 0
        if campaign.status == CampaignStatus.SCHEDULED:
            campaign.status = CampaignStatus.SENDING
            campaign.save(update_fields=["status"])
            record_audit(actor=None, action="campaign.sending", obj=campaign)
    audience = selectors.audience_ids(campaign, now=now)
    sent = 0
    for start in range(0, len(audience), BATCH):
        sent += _send_batch(campaign, audience[start : start + BATCH], now=now)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        counts = campaign.deliveries.aggregate(
            sent=Count("pk", filter=Q(sent_at__isnull=False)),
            audience=Count("pk"),
        )
        campaign.audience_count = counts["audience"]
        campaign.sent_count = counts["sent"]
        if campaign.status != CampaignStatus.SENT:
            campaign.status = CampaignStatus.SENT
            record_audit(
                actor=None, action="campaign.sent", obj=campaign, data={"sent": counts["sent"]}
            )
        campaign.save(update_fields=["audience_count", "sent_count", "status"])
    return sent


def _send_batch(campaign: Campaign, user_ids: list[int], *, now: dt.datetime) -> int:
    """Claim the deliveries of a batch (unique rows) and notify only the ones claimed here."""
    token = uuid.uuid4()
    with transaction.atomic():
        CampaignDelivery.objects.bulk_create(
            [CampaignDelivery(campaign=campaign, user_id=pk, claim=token) for pk in user_ids],
            ignore_conflicts=True,
        )
        mine = list(
            CampaignDelivery.objects.filter(campaign=campaign, claim=token).select_related("user")
        )
        delivered = []
        for delivery in mine:
            url = click_url(delivery.pk)
            if notify(
                template="campaign",
                context={
                    "first_name": delivery.user.first_name,
                    "title": campaign.title,
                    "offer_name": campaign.offer.name,
                    "url": url,
                    "open_url": open_url(delivery.pk),
                },
                category="campaign",
                user=delivery.user,
                title=campaign.title,
                url=url,
            ):
                delivered.append(delivery.pk)
        CampaignDelivery.objects.filter(pk__in=delivered).update(sent_at=now)
    return len(delivered)


def _delivery_id(token: str, salt: str) -> int:
    try:
        delivery_id = signing.Signer(salt=salt).unsign_object(token)
    except (signing.BadSignature, ValueError) as exc:
        raise e.BadClickToken() from exc
    if not isinstance(delivery_id, int) or isinstance(delivery_id, bool):
        raise e.BadClickToken()
    return delivery_id


def _mark(delivery_id: int, *, clicked: bool) -> bool:
    """Set the delivery's first open (and click) time; count each first on its campaign.

    Each conditional UPDATE flips a NULL once, even under concurrent requests (the row
    lock makes the second one see the value set), and the counters are incremented in
    the database, so two opens of one campaign at once cannot lose one. Returns whether
    the delivery exists."""
    deliveries = CampaignDelivery.objects.filter(pk=delivery_id)
    campaign_id = deliveries.values_list("campaign_id", flat=True).first()
    if campaign_id is None:
        return False
    now = clock.now()
    opened = deliveries.filter(opened_at__isnull=True).update(opened_at=now)
    first_click = clicked and deliveries.filter(clicked_at__isnull=True).update(clicked_at=now)
    if opened or first_click:
        Campaign.objects.filter(pk=campaign_id).update(
            opened_count=F("opened_count") + opened,
            clicked_count=F("clicked_count") + int(first_click),
        )
    return True


@transaction.atomic
def record_click(*, token: str) -> CampaignDelivery:
    """Mark the delivery opened and clicked (first time only); a bad token changes nothing."""
    delivery_id = _delivery_id(token, CLICK_SALT)
    if not _mark(delivery_id, clicked=True):
        raise e.BadClickToken()
    return CampaignDelivery.objects.select_related("campaign").get(pk=delivery_id)


@transaction.atomic
def record_open(*, token: str) -> None:
    """The e-mail's pixel was loaded: mark the delivery opened (first time only).

    A bad token raises BadClickToken and changes nothing."""
    if not _mark(_delivery_id(token, OPEN_SALT), clicked=False):
        raise e.BadClickToken()


def delivery_of_click_url(url: str) -> int | None:
    """The delivery a click URL (a campaign notice's link) points to, or None."""
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    if match.view_name != "campaigns:click":
        return None
    try:
        return _delivery_id(match.kwargs["token"], CLICK_SALT)
    except e.BadClickToken:
        return None


@transaction.atomic
def record_notice_read(*, user_id: int, url: str) -> bool:
    """The young person read a campaign notice in-app: its delivery counts as opened.

    Only the user's own delivery: a notice URL pointing elsewhere changes nothing."""
    delivery_id = delivery_of_click_url(url)
    if delivery_id is None:
        return False
    if not CampaignDelivery.objects.filter(pk=delivery_id, user_id=user_id).exists():
        return False
    return _mark(delivery_id, clicked=False)
