"""The youth web app (mobile-first): sign-up, identity, credit, offers near me, bookings."""
