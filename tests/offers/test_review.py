"""Offer review: submit (rules or auto-approval), staff approve/reject with e-mails and hooks."""

import pytest

from passculture.core import clock
from passculture.core.audit import entries_for
from passculture.core.errors import InvalidState, PermissionDenied
from passculture.core.taskrunner import run_pending_tasks
from passculture.offerers.models import Membership, ValidationStatus
from passculture.offers import errors as e
from passculture.offers import hooks, services
from passculture.offers.models import Offer, ReviewRule, Validation
from passculture.offers.selectors import status_of
from tests.factories import make_offerer, make_user, make_venue
from tests.offers.factories import (
    NOW,
    db_state,
    make_offer,
    make_price_category,
    make_stock,
    make_thing_offer,
    paris,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_now():
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def offer(venue):
    offer = make_offer(venue, description="Une comédie en cinq actes.")
    category = make_price_category(offer, "Plein tarif", 2500)
    make_stock(offer, beginning=paris(2027, 2, 2, 20, 30), category=category, quantity=50)
    return offer


@pytest.fixture
def rejected_calls():
    calls = []

    def hook(**kwargs):
        calls.append(kwargs)

    hooks.offer_rejected.append(hook)
    yield calls
    hooks.offer_rejected.remove(hook)


def _refused(call, error, text, code):
    before = db_state()
    with pytest.raises(error) as exc:
        call()
    assert (exc.value.text, exc.value.code) == (text, code)
    assert db_state() == before


# --- submit -------------------------------------------------------------------------------------


def test_submit_needs_a_future_stock(pro, venue):
    offer = make_offer(venue)
    text = "Ajoutez au moins une date (ou un stock) à venir avant de publier l’offre."
    _refused(
        lambda: services.submit_offer(actor=pro, offer=offer),
        e.NothingToSubmit,
        text,
        "nothing_to_submit",
    )
    make_stock(offer, beginning=paris(2027, 1, 3, 20, 30), quantity=10)  # past
    make_stock(offer, beginning=paris(2027, 2, 3, 20, 30), quantity=10, deleted=True)
    _refused(
        lambda: services.submit_offer(actor=pro, offer=offer),
        e.NothingToSubmit,
        text,
        "nothing_to_submit",
    )
    make_stock(offer, beginning=paris(2027, 2, 4, 20, 30), quantity=10)
    assert services.submit_offer(actor=pro, offer=offer).validation == Validation.APPROVED


def test_thing_needs_a_live_stock_whatever_its_date(pro, venue):
    thing = make_thing_offer(venue)
    with pytest.raises(e.NothingToSubmit):
        services.submit_offer(actor=pro, offer=thing)
    make_stock(thing, quantity=None)
    assert services.submit_offer(actor=pro, offer=thing).validation == Validation.APPROVED


def test_no_rule_means_approved_and_published_now(pro, staff, offer, mailoutbox):
    # An inactive rule that would match is ignored.
    ReviewRule.objects.create(name="Tout", price_above=0, is_active=False)
    submitted = services.submit_offer(actor=pro, offer=offer)
    offer.refresh_from_db()
    assert submitted.validation == offer.validation == Validation.APPROVED
    assert offer.publication_datetime == NOW
    entry = entries_for(offer).get()
    assert (entry.action, entry.actor, entry.before, entry.after, entry.data) == (
        "offer.submitted",
        pro,
        {"validation": "draft"},
        {"validation": "approved"},
        {"rules": [], "trusted": False},
    )
    assert status_of(offer) == "ACTIVE"
    run_pending_tasks()
    assert mailoutbox == []  # nobody to warn


def test_a_scheduled_publication_is_kept(pro, offer):
    Offer.objects.filter(pk=offer.pk).update(publication_datetime=paris(2027, 1, 10, 8, 0))
    services.submit_offer(actor=pro, offer=offer)
    offer.refresh_from_db()
    assert offer.publication_datetime == paris(2027, 1, 10, 8, 0)
    assert status_of(offer) == "SCHEDULED"


@pytest.mark.parametrize(
    "rule",
    [
        {"price_above": 2000},
        {"words": "rien\n  COMÉDIE  \n"},  # case-insensitive, in the description
        {"subcategories": ["CONCERT", "SPECTACLE_REPRESENTATION"]},
        {"price_above": 1000, "words": "misanthrope"},  # every set condition must match
    ],
)
def test_matching_rule_sends_to_review_and_warns_staff(pro, staff, offer, mailoutbox, rule):
    ReviewRule.objects.create(name="Contrôle", **rule)
    services.submit_offer(actor=pro, offer=offer)
    offer.refresh_from_db()
    assert (offer.validation, offer.publication_datetime) == (Validation.PENDING, None)
    assert entries_for(offer).get().data == {"rules": ["Contrôle"], "trusted": False}
    assert status_of(offer) == "PENDING"
    run_pending_tasks()
    assert [m.to for m in mailoutbox] == [[staff.email]]
    assert mailoutbox[0].subject == "Offre à vérifier : Le Misanthrope"
    assert "règles concernées : Contrôle." in mailoutbox[0].body


@pytest.mark.parametrize(
    "rule",
    [
        {"price_above": 2500},  # strictly above
        {"words": "tragédie"},
        {"subcategories": ["CONCERT"]},
        {"price_above": 1000, "words": "tragédie"},
        {},  # no condition: matches nothing
    ],
)
def test_rules_that_do_not_match(pro, offer, rule):
    ReviewRule.objects.create(name="Contrôle", **rule)
    services.submit_offer(actor=pro, offer=offer)
    offer.refresh_from_db()
    assert offer.validation == Validation.APPROVED


def test_rule_on_a_structure_or_a_venue(pro, offer, offerer, venue):
    other = make_offerer(None, name="Autre structure")
    ReviewRule.objects.create(name="Autre structure", offerer=other)
    ReviewRule.objects.create(name="Autre lieu", venue=make_venue(other))
    ReviewRule.objects.create(name="Ce lieu", venue=venue)
    ReviewRule.objects.create(name="Cette structure", offerer=offerer)
    services.submit_offer(actor=pro, offer=offer)
    assert sorted(entries_for(offer).get().data["rules"]) == ["Ce lieu", "Cette structure"]


def test_trusted_structure_is_approved_even_when_rules_match(
    pro, staff, offer, offerer, mailoutbox
):
    offerer.is_trusted = True
    offerer.save()
    ReviewRule.objects.create(name="Prix élevé", price_above=0)
    services.submit_offer(actor=pro, offer=offer)
    offer.refresh_from_db()
    assert (offer.validation, offer.publication_datetime) == (Validation.APPROVED, NOW)
    assert entries_for(offer).get().data == {"rules": [], "trusted": True}
    run_pending_tasks()
    assert mailoutbox == []


def test_submit_twice_or_archived_is_refused(pro, offer):
    services.submit_offer(actor=pro, offer=offer)
    _refused(
        lambda: services.submit_offer(actor=pro, offer=offer),
        InvalidState, "Cette offre a déjà été envoyée.", "invalid_state",
    )  # fmt: skip
    Offer.objects.filter(pk=offer.pk).update(validation=Validation.DRAFT, archived_at=NOW)
    _refused(
        lambda: services.submit_offer(actor=pro, offer=offer),
        e.OfferError, "Une offre archivée ne se publie plus : dupliquez-la.", "offer_invalid",
    )  # fmt: skip


# --- approve / reject ---------------------------------------------------------------------------


@pytest.fixture
def pending(pro, offer):
    ReviewRule.objects.create(name="Prix élevé", price_above=2000)
    services.submit_offer(actor=pro, offer=offer)
    offer.refresh_from_db()
    assert offer.validation == Validation.PENDING
    return offer


def test_only_staff_approve_or_reject(pro, other_pro, pending, rejected_calls):
    text = "Vous n’avez pas les droits nécessaires pour cette action."
    for actor in (pro, other_pro):
        _refused(
            lambda a=actor: services.approve_offer(actor=a, offer=pending),
            PermissionDenied,
            text,
            "forbidden",
        )
        _refused(
            lambda a=actor: services.reject_offer(actor=a, offer=pending, reason="Non"),
            PermissionDenied, text, "forbidden",
        )  # fmt: skip
    assert rejected_calls == []


def test_staff_approves_and_the_pros_are_told(pro, other_pro, staff, pending, offerer, mailoutbox):
    # A pending member of the structure is not told.
    Membership.objects.create(user=other_pro, offerer=offerer, status=ValidationStatus.PENDING)
    colleague = make_user("regie@celestins.fr")
    Membership.objects.create(user=colleague, offerer=offerer, status=ValidationStatus.VALIDATED)
    run_pending_tasks()
    mailoutbox.clear()
    services.approve_offer(actor=staff, offer=pending)
    pending.refresh_from_db()
    assert (pending.validation, pending.publication_datetime) == (Validation.APPROVED, NOW)
    entry = entries_for(pending).get(action="offer.approved")
    assert (entry.actor, entry.before, entry.after, entry.data) == (
        staff, {"validation": "pending"}, {"validation": "approved"}, {},
    )  # fmt: skip
    assert status_of(pending) == "ACTIVE"
    run_pending_tasks()
    # One e-mail per validated member (each logged on its own).
    assert sorted(m.to[0] for m in mailoutbox) == sorted([pro.email, colleague.email])
    assert all(len(m.to) == 1 for m in mailoutbox)
    assert {m.subject for m in mailoutbox} == {"Votre offre « Le Misanthrope » est publiée"}
    _refused(
        lambda: services.approve_offer(actor=staff, offer=pending),
        InvalidState, "Cette offre n’attend pas de vérification.", "invalid_state",
    )  # fmt: skip


def test_reject_needs_a_reason(staff, pending, rejected_calls):
    for reason in ("", "   \n"):
        _refused(
            lambda r=reason: services.reject_offer(actor=staff, offer=pending, reason=r),
            e.OfferError, "Indiquez le motif du refus : il est envoyé à la structure.", "offer_invalid",
        )  # fmt: skip
    assert rejected_calls == []


def test_reject_tells_the_pro_why_and_calls_the_hook(
    pro, staff, pending, rejected_calls, mailoutbox
):
    run_pending_tasks()
    mailoutbox.clear()
    reason = "  Le prix affiché ne correspond pas à la billetterie du théâtre.  "
    services.reject_offer(actor=staff, offer=pending, reason=reason)
    pending.refresh_from_db()
    clean = reason.strip()
    assert (pending.validation, pending.rejection_reason) == (Validation.REJECTED, clean)
    assert status_of(pending) == "REJECTED"
    entry = entries_for(pending).get(action="offer.rejected")
    assert (entry.actor, entry.before, entry.after, entry.data) == (
        staff, {"validation": "pending"}, {"validation": "rejected"}, {"reason": clean},
    )  # fmt: skip
    assert rejected_calls == [{"actor": staff, "offer_id": pending.pk, "reason": clean}]
    run_pending_tasks()
    assert [m.to for m in mailoutbox] == [[pro.email]]
    assert mailoutbox[0].subject == "Votre offre « Le Misanthrope » n’a pas été validée"
    assert f"Motif : {clean}" in mailoutbox[0].body


def test_a_published_offer_can_be_rejected_later(pro, staff, offer, rejected_calls):
    services.submit_offer(actor=pro, offer=offer)
    services.reject_offer(actor=staff, offer=offer, reason="Signalée par des jeunes")
    offer.refresh_from_db()
    assert offer.validation == Validation.REJECTED
    assert [c["reason"] for c in rejected_calls] == ["Signalée par des jeunes"]
    _refused(
        lambda: services.reject_offer(actor=staff, offer=offer, reason="Encore"),
        InvalidState, "Cette offre n’attend pas de vérification.", "invalid_state",
    )  # fmt: skip


def test_failing_hook_rolls_the_rejection_back(staff, pending):
    def refuse(**kwargs):
        raise RuntimeError("bookings down")

    hooks.offer_rejected.append(refuse)
    try:
        before = db_state()
        with pytest.raises(RuntimeError):
            services.reject_offer(actor=staff, offer=pending, reason="Non conforme")
        assert db_state() == before
    finally:
        hooks.offer_rejected.remove(refuse)


def test_resubmit_after_rejection(pro, staff, pending, mailoutbox):
    services.reject_offer(actor=staff, offer=pending, reason="Prix trop élevé")
    # Still matching the rule: back to the queue, reason cleared.
    services.submit_offer(actor=pro, offer=pending)
    pending.refresh_from_db()
    assert (pending.validation, pending.rejection_reason) == (Validation.PENDING, "")
    services.reject_offer(actor=staff, offer=pending, reason="Toujours trop cher")
    # Fixed by the pro (price lowered under the rule): approved at once.
    pending.stocks.update(price=1500)
    services.submit_offer(actor=pro, offer=pending)
    pending.refresh_from_db()
    assert (pending.validation, pending.rejection_reason) == (Validation.APPROVED, "")
    assert pending.publication_datetime == NOW
    actions = list(entries_for(pending).order_by("id").values_list("action", flat=True))
    assert actions == [
        "offer.submitted", "offer.rejected", "offer.submitted", "offer.rejected", "offer.submitted",
    ]  # fmt: skip
    assert [x.before["validation"] for x in entries_for(pending).filter(action="offer.submitted").order_by("id")] == [
        "draft", "rejected", "rejected",
    ]  # fmt: skip
