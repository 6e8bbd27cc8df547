from passculture.core.errors import DomainError


class BookingError(DomainError):
    code = "booking_refused"
    message = "Réservation impossible."


class NotBeneficiary(BookingError):
    code = "not_beneficiary"
    message = "Votre crédit n’est pas encore activé : faites vérifier votre identité."


class CreditExpired(BookingError):
    code = "credit_expired"
    message = "Votre crédit a expiré le {date}."


class OfferNotBookable(BookingError):
    code = "offer_not_bookable"
    message = "Cette offre n’est pas réservable en ce moment."


class BookingClosed(BookingError):
    code = "booking_closed"
    message = "Les réservations pour cette date sont closes depuis le {date}."


class EventStarted(BookingError):
    code = "event_started"
    message = "Cet événement a déjà commencé."


class SoldOut(BookingError):
    code = "sold_out"
    message = "Complet : il ne reste plus assez de places."


class AlreadyBooked(BookingError):
    code = "already_booked"
    message = "Vous avez déjà une réservation en cours pour cette offre."


class InvalidQuantity(BookingError):
    code = "invalid_quantity"
    message = "Vous pouvez réserver 1 place, ou 2 si l’offre est en duo."


class InsufficientCredit(BookingError):
    code = "insufficient_credit"
    message = "Crédit insuffisant : il vous reste {balance}, la réservation coûte {price}."


class FreeOffersOnly(BookingError):
    code = "free_offers_only"
    message = "À votre âge, le pass donne accès aux offres gratuites uniquement."


class DigitalCapReached(BookingError):
    code = "digital_cap_reached"
    message = "Plafond des offres numériques atteint : il vous reste {left} pour ce type d’offre."


class CannotCancel(BookingError):
    code = "cannot_cancel"
    message = "Cette réservation n’est plus annulable."


class TokenNotFound(BookingError):
    code = "token_not_found"
    message = "Contremarque inconnue : vérifiez les 6 caractères."


class WrongVenue(BookingError):
    code = "wrong_venue"
    message = "Cette contremarque ne concerne pas vos lieux."


class TooEarlyToValidate(BookingError):
    code = "too_early"
    message = "Le jeune peut encore annuler : la contremarque sera validable à partir du {date}."


class AlreadyUsed(BookingError):
    code = "already_used"
    message = "Contremarque déjà validée le {date}."


class BookingCancelled(BookingError):
    code = "booking_cancelled"
    message = "Cette réservation a été annulée le {date}."


class BookingReimbursed(BookingError):
    code = "booking_reimbursed"
    message = "Cette réservation a déjà été remboursée : elle ne peut plus changer."
