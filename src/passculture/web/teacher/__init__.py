"""Teacher portal (/enseignants/): the collective catalogue with its map, offer and partner
pages, favourites, the school's bookings and budget, and the head's validation page."""
