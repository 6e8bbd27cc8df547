"""Partner API for ticketing and stock software, shaped like pass Culture's public API."""
