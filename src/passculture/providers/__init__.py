"""Partner software (ticketing / stock tools): API keys, venue links, webhooks, ticketing calls."""
