"""Notices to people: e-mail and in-app, from templates, with preferences and unsubscribe."""
