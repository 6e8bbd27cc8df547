"""Collective writes: schools and budgets, offers and requests, the booking flow."""
