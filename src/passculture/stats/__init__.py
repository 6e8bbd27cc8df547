"""Statistics: offer views, bookings, fill rates, no-shows by distance and département."""
