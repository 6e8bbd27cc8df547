import datetime as dt
from tests.api.public.test_events_support import *  # noqa
from tests.offers.factories import NOW

BIG = 2**70

def test_weird(partner, partner_venue):
    ev = partner.post(EVENTS, event_body(partner_venue)).json()
    eid = ev["id"]; pc = ev["priceCategories"][0]["id"]
    cases = [
        ("get", f"{EVENTS}/{BIG}", None),
        ("get", f"{EVENTS}/{2**63}", None),
        ("get", EVENTS, {"venueId": BIG}),
        ("get", EVENTS, {"addressId": BIG}),
        ("get", EVENTS, {"firstIndex": BIG}),
        ("get", EVENTS, {"updatedSince": "9999-12-31T23:59:59Z"}),
        ("get", f"{EVENTS}/{eid}/dates", {"firstIndex": BIG}),
        ("get", f"{EVENTS}/{eid}/price_categories", {"firstIndex": BIG}),
        ("post", f"{EVENTS}/{eid}/dates", {"dates": [{"beginningDatetime": "2027-02-01T10:00:00Z", "bookingLimitDatetime": "2027-02-01T09:00:00Z", "priceCategoryId": BIG, "quantity": 3}]}),
        ("post", f"{EVENTS}/{eid}/dates", {"dates": [{"beginningDatetime": "9999-12-31T23:59:59+14:00", "bookingLimitDatetime": "0001-01-01T00:00:00-14:00", "priceCategoryId": pc, "quantity": 3}]}),
        ("post", f"{EVENTS}/{eid}/dates", {"dates": [{"beginningDatetime": "2027-02-01T10:00:00Z", "bookingLimitDatetime": "2027-02-01T09:00:00Z", "priceCategoryId": pc, "quantity": BIG}]}),
        ("patch", f"{EVENTS}/{eid}/dates/{BIG}", {"quantity": 1}),
        ("patch", f"{EVENTS}/{eid}/price_categories/{BIG}", {"price": 1}),
        ("patch", f"{EVENTS}/{eid}", {"eventDuration": BIG}),
        ("patch", f"{EVENTS}/{eid}", {"categoryRelatedFields": {"category": "SPECTACLE_REPRESENTATION", "showType": {"a": 1}}}),
        ("patch", f"{EVENTS}/{eid}", {"categoryRelatedFields": {}}),
        ("patch", f"{EVENTS}/{eid}", {"location": {"venueId": BIG}}),
        ("patch", f"{EVENTS}/{eid}", {"location": {"type": "address", "venueId": partner_venue.pk, "addressId": BIG}}),
        ("patch", f"{EVENTS}/{eid}", {"location": {"type": "digital", "venueId": partner_venue.pk, "url": "https://x.example"}}),
        ("patch", f"{EVENTS}/{eid}", {"publicationDatetime": "later"}),
        ("patch", f"{EVENTS}/{eid}", {"bookingContact": "\x00@x"}),
        ("patch", f"{EVENTS}/{eid}", {"name": "\x00abc"}),
        ("patch", f"{EVENTS}/{eid}", {"description": "\x00abc"}),
        ("post", EVENTS, event_body(partner_venue, categoryRelatedFields={"category": None})),
        ("post", EVENTS, event_body(partner_venue, categoryRelatedFields={"category": ["x"]})),
        ("post", EVENTS, event_body(partner_venue, location={"type": "physical", "venueId": BIG})),
        ("post", EVENTS, event_body(partner_venue, image={"file": ""})),
        ("post", EVENTS, event_body(partner_venue, idAtProvider="evt-1")),
        ("post", EVENTS, event_body(partner_venue, priceCategories=[{"label": "\x00", "price": 1}])),
        ("post", EVENTS, event_body(partner_venue, externalTicketOfficeUrl="javascript:alert(1)")),
        ("post", EVENTS, event_body(partner_venue, bookingAllowedDatetime="9999-12-31T23:59:59Z")),
        ("post", EVENTS, event_body(partner_venue, categoryRelatedFields={"category": "LIVESTREAM_EVENEMENT", "showType": "OTHER"})),
        ("post", EVENTS, event_body(partner_venue, location={"type": "digital", "venueId": partner_venue.pk, "url": "https://x.example"}, categoryRelatedFields={"category": "LIVESTREAM_EVENEMENT", "showType": "OTHER"})),
        ("delete", f"{EVENTS}/{eid}/dates/{BIG}", None),
        ("post", f"{EVENTS}/{eid}/price_categories", {"priceCategories": [{"label": "x", "price": 1, "idAtProvider": "pc-plein"}]}),
    ]
    for method, url, body in cases:
        r = getattr(partner, method)(url, body) if method != "delete" else partner.delete(url)
        print(method, url[-40:], r.status_code, r.content.decode()[:200])
        assert r.status_code < 500
