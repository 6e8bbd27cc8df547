from passculture.core.errors import DomainError


class OfferError(DomainError):
    code = "offer_invalid"


class NameRequired(OfferError):
    code = "name_required"
    message = "Donnez un titre à l’offre (90 caractères au plus)."
    field = "name"


class WrongVenueForSubcategory(OfferError):
    code = "wrong_venue_for_subcategory"
    field = "venue"


class UrlRequired(OfferError):
    code = "url_required"
    message = "Une offre numérique a besoin de l’adresse web où la retrouver."
    field = "url"


class DuoNotAllowed(OfferError):
    code = "duo_not_allowed"
    message = "Cette sous-catégorie ne permet pas la réservation à deux (duo)."
    field = "is_duo"


class InvalidWithdrawal(OfferError):
    code = "invalid_withdrawal"
    field = "withdrawal_type"


class InvalidPrice(OfferError):
    code = "invalid_price"
    message = "Le prix doit être compris entre 0 € et 300 €."
    field = "price"


class DuplicateLabel(OfferError):
    code = "duplicate_price_label"
    message = "Ce libellé de tarif existe déjà pour cette offre."
    field = "label"


class TooManyPriceCategories(OfferError):
    code = "too_many_price_categories"
    message = "Une offre peut avoir 50 tarifs au plus."


class PriceCategoryInUse(OfferError):
    code = "price_category_in_use"
    message = "Ce tarif est utilisé par des dates : supprimez-les ou changez leur tarif d’abord."


class TooManyStocks(OfferError):
    code = "too_many_stocks"
    message = (
        "Une offre peut avoir 2\u202f500 dates × tarifs au plus : "
        "cette opération en ferait {total}. Réduisez la période, les jours ou les horaires."
    )


class NoDates(OfferError):
    code = "no_dates"
    message = "Aucune date ne correspond : vérifiez la période, les jours et les horaires choisis."


class PastDate(OfferError):
    code = "past_date"
    message = "La date du {date} est déjà passée."
    field = "beginning_datetime"


class InvalidBookingLimit(OfferError):
    code = "invalid_booking_limit"
    message = "La date limite de réservation doit précéder le début de l’événement."
    field = "booking_limit_datetime"


class QuantityBelowBooked(OfferError):
    code = "quantity_below_booked"
    message = "Impossible de descendre à {quantity} places : {booked} sont déjà réservées."
    field = "quantity"


class NotAnEvent(OfferError):
    code = "not_an_event"
    message = "Cette offre n’est pas un événement : elle n’a pas de dates."


class IsAnEvent(OfferError):
    code = "is_an_event"
    message = "Un événement se réserve par dates : ajoutez des dates plutôt qu’un stock unique."


class NothingToSubmit(OfferError):
    code = "nothing_to_submit"
    message = "Ajoutez au moins une date (ou un stock) à venir avant de publier l’offre."


class InvalidThreshold(OfferError):
    code = "invalid_threshold"
    message = "Le seuil d’alerte est un pourcentage entre 1 et 100."
    field = "fill_alert_threshold"


class InvalidImage(OfferError):
    code = "invalid_image"
    field = "image"
